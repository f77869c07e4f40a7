"""Lead updates: field validation, SaveResults and sObject Collections semantics.

Per-record errors use the StatusCode names and message texts Salesforce sends
(crm-api-facts.md sections 1.3 and 1.7). An unknown field name fails the whole request with
400 ``INVALID_FIELD``, as Salesforce does when it cannot deserialise the body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from connectors.sandbox.salesforce.schema import Entity, Field
from connectors.sandbox.salesforce.store import LeadStore, Row
from connectors.sandbox.salesforce.values import is_date, parse_iso, valid_id, wire

MAX_RECORDS = 200
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
ROLLED_BACK = (
    "Record rolled back because not all records were valid and the request was "
    "using AllOrNone header"
)
LOCKED = "unable to obtain exclusive access to this record or 1 records"


class RequestError(Exception):
    """The whole request is refused: HTTP ``status`` with one REST error."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def body(self) -> list[dict[str, Any]]:
        return [{"message": self.message, "errorCode": self.code}]


@dataclass(frozen=True)
class Rules:
    """Org settings that change what a write may do."""

    validation_rule: bool = False  # Status "Unqualified" requires Unqualified_Reason__c


def error(code: str, message: str, fields: list[str] | None = None) -> dict[str, Any]:
    """One entry of a SaveResult's ``errors``."""
    return {"statusCode": code, "message": message, "fields": fields or []}


def unknown_field(entity: Entity, record: dict[str, Any]) -> None:
    """Raise 400 INVALID_FIELD when ``record`` names a field the entity does not have."""
    for name in record:
        if name.lower() not in ("attributes", "id") and entity.field(name) is None:
            raise RequestError(
                400, "INVALID_FIELD", f"No such column '{name}' on sobject of type {entity.name}"
            )


def state_error(row: Row | None) -> dict[str, Any] | None:
    """Why this stored lead cannot be updated at all (None: it can)."""
    if row is None:
        return error("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")
    if row["IsDeleted"]:
        return error("ENTITY_IS_DELETED", "entity is deleted")
    if row["IsConverted"]:
        return error("CANNOT_UPDATE_CONVERTED_LEAD", "cannot reference converted lead")
    return None


def validate(
    entity: Entity, row: Row, record: dict[str, Any], rules: Rules
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The stored form of the changes in ``record`` and the errors that refuse them."""
    changes: dict[str, Any] = {}
    errors: list[dict[str, Any]] = []
    for name, value in record.items():
        field = entity.field(name)
        if field is None or name.lower() in ("attributes", "id"):
            continue
        problem, stored = _check(field, value)
        if problem is not None:
            errors.append(problem)
        else:
            changes[field.name] = stored
    if not errors and rules.validation_rule:
        after = {**row, **changes}
        if after["Status"] == "Unqualified" and not after["Unqualified_Reason__c"]:
            errors.append(
                error(
                    "FIELD_CUSTOM_VALIDATION_EXCEPTION",
                    "Unqualified leads need an Unqualified Reason.",
                )
            )
    return changes, errors


def _check(field: Field, value: Any) -> tuple[dict[str, Any] | None, Any]:
    if not field.updateable:
        return error(
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            f"Unable to create/update fields: {field.name}. Please check the security "
            "settings of this field and verify that it is read/write for your profile "
            "or permission set.",
            [field.name],
        ), None
    if value == "" and field.textual:
        value = None
    if value is None:
        if field.nillable:
            return None, None
        return error(
            "REQUIRED_FIELD_MISSING", f"Required fields are missing: [{field.name}]", [field.name]
        ), None
    stored = _coerce(field, value)
    if stored is None:
        return error(
            "INVALID_TYPE_ON_FIELD_IN_RECORD",
            f"{field.label}: value not of required type: {value}",
            [field.name],
        ), None
    return _content_error(field, stored), stored


def _coerce(field: Field, value: Any) -> Any:
    """``value`` in stored form, or None when it has the wrong type for ``field``."""
    if field.type == "boolean":
        return value if isinstance(value, bool) else None
    if field.type in ("double", "int"):
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return float(value) if ok else None
    if not isinstance(value, str):
        return None
    if field.type == "datetime":
        try:
            return wire(parse_iso(value))
        except ValueError:
            return None
    if field.type == "date":
        return value if is_date(value) else None
    return value


def _content_error(field: Field, value: Any) -> dict[str, Any] | None:
    if field.textual and len(value) > field.length:
        return error(
            "STRING_TOO_LONG",
            f"{field.label}: data value too large: {value[:80]} (max length={field.length})",
            [field.name],
        )
    if field.type == "email" and not _EMAIL.match(value):
        return error(
            "INVALID_EMAIL_ADDRESS", f"{field.label}: invalid email address: {value}", [field.name]
        )
    if field.type == "reference" and not any(valid_id(value, p) for p in ("005", "00G")):
        return error(
            "MALFORMED_ID", f"{field.label}: id value of incorrect type: {value}", [field.name]
        )
    if field.restricted and value not in field.picklist:
        return error(
            "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
            f"{field.label}: bad value for restricted picklist field: {value}",
            [field.name],
        )
    return None


def update_collection(
    store: LeadStore, entity: Entity, body: Any, at: datetime, rules: Rules, locked: bool = False
) -> list[dict[str, Any]]:
    """Apply a Collections PATCH body; the SaveResults in request order."""
    records = _records(entity, body)
    flag = body.get("allOrNone", False)
    all_or_none = flag is True or str(flag).lower() == "true"
    plans = [_plan(store, entity, record, rules, locked) for record in records]
    failed = any(errors for _, _, errors in plans)
    results = []
    for lead_id, changes, errors in plans:
        if errors or lead_id is None or (all_or_none and failed):
            errors = errors or [error("ALL_OR_NONE_OPERATION_ROLLED_BACK", ROLLED_BACK)]
            results.append(_failure(lead_id, errors))
            continue
        row = store.require(lead_id)
        store.update(row, changes, at)
        results.append({"id": row["Id"], "success": True, "errors": []})
    return results


def _records(entity: Entity, body: Any) -> list[dict[str, Any]]:
    if not isinstance(body, dict) or not isinstance(body.get("records"), list):
        raise RequestError(400, "JSON_PARSER_ERROR", "Expected a JSON object with 'records'")
    records = body["records"]
    if len(records) > MAX_RECORDS:
        raise RequestError(
            400,
            "EXCEEDED_ID_LIMIT",
            f"record limit reached. cannot submit more than {MAX_RECORDS} records into this call",
        )
    for record in records:
        if not isinstance(record, dict):
            raise RequestError(400, "JSON_PARSER_ERROR", "Each record must be a JSON object")
        unknown_field(entity, record)
    return records


def _plan(
    store: LeadStore, entity: Entity, record: dict[str, Any], rules: Rules, locked: bool
) -> tuple[str | None, dict[str, Any], list[dict[str, Any]]]:
    lead_id = record.get("id") or record.get("Id")
    kind = (record.get("attributes") or {}).get("type")
    if kind != entity.name:
        return None, {}, [error("INVALID_TYPE", "Must send a concrete entity type.")]
    if not isinstance(lead_id, str):
        return None, {}, [error("MISSING_ARGUMENT", "Id not specified in an update call", ["Id"])]
    row = store.get(lead_id)
    if row is None:
        return None, {}, [error("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")]
    problem = state_error(row)
    if problem is not None:
        return row["Id"], {}, [problem]
    if locked:
        return row["Id"], {}, [error("UNABLE_TO_LOCK_ROW", LOCKED)]
    changes, errors = validate(entity, row, record, rules)
    return row["Id"], changes, errors


def _failure(lead_id: str | None, errors: list[dict[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {"success": False, "errors": errors}
    if lead_id is not None:
        result = {"id": lead_id, **result}
    return result
