"""Creates and updates: sObject Collections (PATCH and POST) and single-record POST.

A Collections request holds at most 200 records of any served type, each with
``attributes.type``; updates need an ``id``, creates must not have one. A malformed request is
a 400; a well-formed one answers 200 with one SaveResult per record, in request order, with
``allOrNone`` rollback semantics.
https://developer.salesforce.com/docs/platform/api-rest/guide/resources-composite-sobjects-collections-update.html
https://developer.salesforce.com/docs/platform/api-rest/guide/resources-composite-sobjects-collections-create.html
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from connectors.sandbox.salesforce.fields import Entity
from connectors.sandbox.salesforce.store import RecordStore, Row
from connectors.sandbox.salesforce.validation import (
    Lookup,
    RequestError,
    Rules,
    error,
    state_error,
    unknown_field,
    validate,
)
from connectors.sandbox.salesforce.values import next_stamp

MAX_RECORDS = 200
ROLLED_BACK = (
    "Record rolled back because not all records were valid and the request was "
    "using AllOrNone header"
)
LOCKED = "unable to obtain exclusive access to this record or 1 records"
Results = list[dict[str, Any]]


@dataclass(frozen=True)
class SObject:
    """A writable object of the org: its fields and its rows."""

    entity: Entity
    store: RecordStore

    def defaults(self, owner: str) -> Row:
        """A new record before the request's fields: picklist defaults, unchecked boxes."""
        row: Row = {f.name: False if f.type == "boolean" else f.default for f in self.entity.fields}
        row["OwnerId"] = owner
        return row


@dataclass(frozen=True)
class Writer:
    """Everything a write needs: the objects, the org's rules, the user and the instant."""

    objects: Mapping[str, SObject]  # by lower-case name
    rules: Rules
    at: datetime
    by: str  # the user making the writes (LastModifiedById)

    def lookup(self) -> Lookup:
        stores = [obj.store for obj in self.objects.values()]
        return lambda record_id: next(
            (row for store in stores if (row := store.get(record_id)) is not None), None
        )


@dataclass(frozen=True)
class Planned:
    """One record of a request, checked: where it goes, what changes, what refuses it."""

    obj: SObject | None
    record_id: str | None
    changes: dict[str, Any]
    errors: list[dict[str, Any]]


def update_collection(writer: Writer, body: Any, locked: bool = False) -> Results:
    """Apply a Collections PATCH body; the SaveResults in request order."""
    records, all_or_none = _records(writer, body)
    plans = [_plan_update(writer, record, locked) for record in records]
    return _apply(writer, plans, all_or_none, _save_update)


def create_collection(writer: Writer, body: Any) -> Results:
    """Apply a Collections POST body; the SaveResults (with the new ids) in request order."""
    records, all_or_none = _records(writer, body)
    plans = [_plan_create(writer, record) for record in records]
    return _apply(writer, plans, all_or_none, _save_create)


def create_one(writer: Writer, name: str, body: Any) -> dict[str, Any]:
    """``POST sobjects/<name>/``: the SaveResult, or RequestError with the record's errors."""
    obj = writer.objects.get(name.lower())
    if obj is None:
        raise RequestError(404, "NOT_FOUND", "The requested resource does not exist")
    if not isinstance(body, dict):
        raise RequestError(400, "JSON_PARSER_ERROR", "Expected a JSON object")
    unknown_field(obj.entity, body)
    plan = _plan_create(writer, {"attributes": {"type": obj.entity.name}, **body})
    if plan.errors:
        first = plan.errors[0]
        raise RequestError(400, first["statusCode"], first["message"])
    return _save_create(writer, plan)


def _records(writer: Writer, body: Any) -> tuple[list[dict[str, Any]], bool]:
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
        obj = _object_of(writer, record)
        if obj is not None:
            unknown_field(obj.entity, record)
    flag = body.get("allOrNone", False)
    return records, flag is True or str(flag).lower() == "true"


def _object_of(writer: Writer, record: dict[str, Any]) -> SObject | None:
    kind = (record.get("attributes") or {}).get("type")
    return writer.objects.get(kind.lower()) if isinstance(kind, str) else None


def _plan_update(writer: Writer, record: dict[str, Any], locked: bool) -> Planned:
    obj = _object_of(writer, record)
    record_id = record.get("id") or record.get("Id")
    if obj is None:
        return Planned(None, None, {}, [error("INVALID_TYPE", "Must send a concrete entity type.")])
    if not isinstance(record_id, str):
        missing = [error("MISSING_ARGUMENT", "Id not specified in an update call", ["Id"])]
        return Planned(obj, None, {}, missing)
    row = obj.store.get(record_id)
    if row is None:
        return Planned(
            obj, None, {}, [error("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")]
        )
    problem = state_error(row)
    if problem is not None or locked:
        return Planned(obj, row["Id"], {}, [problem or error("UNABLE_TO_LOCK_ROW", LOCKED)])
    changes, errors = validate(obj.entity, row, record, writer.rules, writer.lookup())
    return Planned(obj, row["Id"], changes, errors)


def _plan_create(writer: Writer, record: dict[str, Any]) -> Planned:
    obj = _object_of(writer, record)
    if obj is None:
        return Planned(None, None, {}, [error("INVALID_TYPE", "Must send a concrete entity type.")])
    if any(name.lower() == "id" for name in record):
        return Planned(
            obj, None, {}, [error("INVALID_FIELD", "cannot specify Id in an insert call", ["Id"])]
        )
    defaults = obj.defaults(writer.by)
    changes, errors = validate(obj.entity, defaults, record, writer.rules, writer.lookup())
    return Planned(obj, None, {**defaults, **changes}, errors)


def _apply(
    writer: Writer,
    plans: list[Planned],
    all_or_none: bool,
    save: Callable[[Writer, Planned], dict[str, Any]],
) -> Results:
    failed = any(plan.errors for plan in plans)
    results = []
    for plan in plans:
        if plan.errors or plan.obj is None or (all_or_none and failed):
            errors = plan.errors or [error("ALL_OR_NONE_OPERATION_ROLLED_BACK", ROLLED_BACK)]
            results.append(_failure(plan.record_id, errors))
        else:
            results.append(save(writer, plan))
    return results


def _save_update(writer: Writer, plan: Planned) -> dict[str, Any]:
    assert plan.obj is not None and plan.record_id is not None
    row = plan.obj.store.require(plan.record_id)
    plan.obj.store.update(row, plan.changes, writer.at, writer.by)
    return {"id": row["Id"], "success": True, "errors": []}


def _save_create(writer: Writer, plan: Planned) -> dict[str, Any]:
    assert plan.obj is not None
    store = plan.obj.store
    stamp = next_stamp(writer.at, None, store.whole_seconds)
    row = {**plan.changes, "Id": store.new_id(), "CreatedById": writer.by}
    row.update(CreatedDate=stamp, LastModifiedDate=stamp, SystemModstamp=stamp)
    row["LastModifiedById"] = writer.by
    store.add(row)
    return {"id": row["Id"], "success": True, "errors": []}


def _failure(record_id: str | None, errors: list[dict[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {"success": False, "errors": errors}
    if record_id is not None:
        result = {"id": record_id, **result}
    return result
