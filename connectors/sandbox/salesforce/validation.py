"""Field validation of writes: the per-record errors Salesforce answers, in its words.

Per-record errors use the StatusCode names and message texts Salesforce sends
(https://developer.salesforce.com/docs/platform/api-rest/guide/errorcodes.html). An unknown
field name fails the whole request with 400 ``INVALID_FIELD``, as Salesforce does when it
cannot deserialise the body.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from connectors.sandbox.salesforce.fields import PREFIXES, Entity, Field
from connectors.sandbox.salesforce.values import is_date, parse_iso, valid_id, wire

Row = dict[str, Any]
Lookup = Callable[[str], Row | None]  # any record of the org by id
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
REASON_RULE_MESSAGE = "Unqualified leads need an Unqualified Reason."
REASON_FIELD = "Unqualified_Reason__c"


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

    reason_required: bool = True  # Status "Unqualified" requires Unqualified_Reason__c


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
    """Why this stored record cannot be updated at all (None: it can)."""
    if row is None:
        return error("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")
    if row["IsDeleted"]:
        return error("ENTITY_IS_DELETED", "entity is deleted")
    if row.get("IsConverted"):
        return error("CANNOT_UPDATE_CONVERTED_LEAD", "cannot reference converted lead")
    return None


def validate(
    entity: Entity, row: Row, record: dict[str, Any], rules: Rules, lookup: Lookup
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The stored form of the changes in ``record`` (applied to ``row``: the stored record,
    or a new record's defaults) and the errors that refuse them."""
    changes: dict[str, Any] = {}
    errors: list[dict[str, Any]] = []
    for name, value in record.items():
        field = entity.field(name)
        if field is None or name.lower() in ("attributes", "id"):
            continue
        problem, stored = _check(field, value, lookup)
        if problem is not None:
            errors.append(problem)
        else:
            changes[field.name] = stored
    if not errors:
        errors = _record_errors(entity, {**row, **changes}, rules)
    return changes, errors


def _record_errors(entity: Entity, after: Row, rules: Rules) -> list[dict[str, Any]]:
    """Errors of the record as a whole once the changes apply: required fields, org rules."""
    missing = [f.name for f in entity.fields if not f.nillable and f.updateable]
    missing = [name for name in missing if after.get(name) in (None, "")]
    if missing:
        text = f"Required fields are missing: [{', '.join(missing)}]"
        return [error("REQUIRED_FIELD_MISSING", text, missing)]
    if entity.name == "Lead" and rules.reason_required and _lacks_reason(after):
        # A validation rule whose error shows at the reason field; its message is the rule's
        # own text. https://developer.salesforce.com/docs/platform/api-rest/guide/errorcodes.html
        return [error("FIELD_CUSTOM_VALIDATION_EXCEPTION", REASON_RULE_MESSAGE, [REASON_FIELD])]
    return []


def _lacks_reason(lead: Row) -> bool:
    """The rule's formula: ISPICKVAL(Status, "Unqualified") && ISBLANK(Unqualified_Reason__c)."""
    return lead.get("Status") == "Unqualified" and not lead.get(REASON_FIELD)


def _check(field: Field, value: Any, lookup: Lookup) -> tuple[dict[str, Any] | None, Any]:
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
    return _content_error(field, stored) or _reference_error(field, stored, lookup), stored


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
    if field.restricted and value not in field.picklist:
        return error(
            "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
            f"{field.label}: bad value for restricted picklist field: {value}",
            [field.name],
        )
    return None


def _reference_error(field: Field, value: str, lookup: Lookup) -> dict[str, Any] | None:
    if field.type != "reference":
        return None
    prefixes = [PREFIXES[name] for name in field.reference_to if name in PREFIXES]
    if not any(valid_id(value, prefix) for prefix in prefixes):
        return error(
            "MALFORMED_ID", f"{field.label}: id value of incorrect type: {value}", [field.name]
        )
    if value.startswith(PREFIXES["Lead"]) and lookup(value) is None:
        return error("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", [field.name])
    return None
