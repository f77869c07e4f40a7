"""Batch endpoints ``/crm/v3/objects/{type}/batch/{read,create,update,upsert,archive}``.

At most 100 inputs (400 VALIDATION_ERROR with HubSpot's exact message above that; 50 for a
read with ``propertiesWithHistory``). Partial
failure answers 207 Multi-Status with ``numErrors`` and ``errors[]``: not-found ids are grouped
into one OBJECT_NOT_FOUND error with ``context.ids``; every rejected input gets its own
VALIDATION_ERROR (or CONFLICT) error naming its id and properties. Upsert results carry
``new``; create answers the configured create status (201, or 200 like HubSpot's newer APIs).
"""

from __future__ import annotations

from typing import Any

from connectors.sandbox.hubspot import errors
from connectors.sandbox.hubspot.objects import (
    ObjectsApi,
    clash_message,
    names_for,
    properties_of,
    shown,
    unique_clash,
)
from connectors.sandbox.hubspot.properties import problems_message
from connectors.sandbox.hubspot.store import ObjectStore, Record
from connectors.sandbox.hubspot.values import from_millis, iso
from connectors.sandbox.server import Request, Response

MAX_INPUTS = 100
MAX_HISTORY_INPUTS = 50
ACTIONS = ("read", "create", "update", "upsert", "archive")


def input_error(category: str, message: str, ids: list[str], **extra: Any) -> dict[str, Any]:
    """One entry of a 207 ``errors`` list (StandardError)."""
    context = {"ids": ids, **extra.pop("context", {})}
    return {
        "status": "error",
        "category": category,
        "message": message,
        "context": context,
        "errors": extra.pop("errors", []),
        "links": {},
        **extra,
    }


class BatchApi:
    """Handlers for the five batch actions of one object type."""

    def __init__(self, objects: ObjectsApi) -> None:
        self.objects = objects
        self.ctx = objects.ctx

    def handle(self, store: ObjectStore, request: Request, action: str) -> Response:
        """Serve one batch ``action`` (read, create, update, upsert, archive)."""
        body = request.json()
        inputs = body.get("inputs") if isinstance(body, dict) else None
        if not isinstance(inputs, list) or not all(isinstance(i, dict) for i in inputs):
            return errors.validation("the body needs an 'inputs' list of objects")
        if len(inputs) > MAX_INPUTS:
            return errors.validation(errors.BATCH_LIMIT_MESSAGE)
        if body.get("propertiesWithHistory") and len(inputs) > MAX_HISTORY_INPUTS:
            return errors.validation(errors.BATCH_HISTORY_LIMIT_MESSAGE)
        if action == "archive":
            for item in inputs:
                self.objects.archive(store, str(item.get("id")))
            return Response(204)
        started = iso(from_millis(self.ctx.clock_ms()))
        handler = {
            "read": self._read,
            "create": self._create,
            "update": self._update,
            "upsert": self._upsert,
        }[action]
        outcome = handler(store, body, inputs, request)
        if isinstance(outcome, Response):
            return outcome
        results, problems = outcome
        status = self.ctx.create_status if action == "create" else 200
        return self._answer(results, problems, started, status)

    def _answer(
        self,
        results: list[dict[str, Any]],
        problems: list[dict[str, Any]],
        started: str,
        status: int,
    ) -> Response:
        payload: dict[str, Any] = {
            "status": "COMPLETE",
            "results": results,
            "startedAt": started,
            "completedAt": iso(from_millis(self.ctx.clock_ms())),
        }
        if problems:
            payload.update(numErrors=len(problems), errors=problems)
            return Response.json(payload, 207)
        return Response.json(payload, status)

    def _read(
        self,
        store: ObjectStore,
        body: dict[str, Any],
        inputs: list[dict[str, Any]],
        request: Request,
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        archived = (request.arg("archived") or "false").lower() == "true"
        names = names_for(store, body.get("properties") or None)
        history = body.get("propertiesWithHistory") or None
        results, absent = [], []
        for item in inputs:
            record = store.find(str(item.get("id")), body.get("idProperty"), archived=archived)
            if record is None:
                absent.append(str(item.get("id")))
            else:
                results.append(shown(record, names, history))
        return results, _not_found(store, absent, "get")

    def _create(
        self,
        store: ObjectStore,
        body: dict[str, Any],
        inputs: list[dict[str, Any]],
        request: Request,
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        results, problems = [], []
        for position, item in enumerate(inputs):
            checked, problem = self._checked(store, item, None, str(position))
            if checked is None:
                problems.append(problem)
                continue
            record = store.insert(checked, self.ctx.clock_ms())
            results.append(record.to_json(None))
        return results, problems

    def _update(
        self,
        store: ObjectStore,
        body: dict[str, Any],
        inputs: list[dict[str, Any]],
        request: Request,
    ) -> tuple[list[Any], list[Any]] | Response:
        keys = [str(item.get("id")) for item in inputs]
        duplicates = sorted({k for k in keys if keys.count(k) > 1})
        if duplicates:
            return errors.validation(
                f"Duplicate IDs found in batch input: {duplicates}. IDs must be unique"
            )
        results, problems, absent = [], [], []
        for item in inputs:
            key = str(item.get("id"))
            record = store.find(key, item.get("idProperty") or body.get("idProperty"))
            if record is None:
                absent.append(key)
                continue
            checked, problem = self._checked(store, item, record.id, key)
            if checked is None:
                problems.append(problem)
                continue
            store.write(record, checked, self.ctx.clock_ms())
            results.append(record.to_json(None))
        return results, problems + _not_found(store, absent, "update")

    def _upsert(
        self,
        store: ObjectStore,
        body: dict[str, Any],
        inputs: list[dict[str, Any]],
        request: Request,
    ) -> tuple[list[Any], list[Any]] | Response:
        for item in inputs:
            id_property = item.get("idProperty")
            if id_property not in (None, "", "hs_object_id") and not store.is_unique(id_property):
                return errors.validation(
                    f"idProperty {id_property!r} is not a unique property "
                    f"of {store.kind.label}; upsert needs hasUniqueValue"
                )
        results, problems, absent = [], [], []
        for item in inputs:
            key, id_property = str(item.get("id")), str(item.get("idProperty") or "")
            record = store.find(key, id_property)
            if record is None and id_property in ("", "hs_object_id"):
                absent.append(key)  # by record id, upsert can only update
                continue
            values = dict(properties_of(item) or {})
            if record is None:
                values.setdefault(id_property, key)
            checked, problem = self._checked(
                store, {"properties": values}, record.id if record else None, key
            )
            if checked is None:
                problems.append(problem)
            else:
                results.append(self._upserted(store, record, checked))
        return results, problems + _not_found(store, absent, "update")

    def _upserted(
        self, store: ObjectStore, record: Record | None, values: dict[str, str]
    ) -> dict[str, Any]:
        if record is None:
            created = store.insert(values, self.ctx.clock_ms())
            return {**created.to_json(None), "new": True}
        store.write(record, values, self.ctx.clock_ms())
        return {**record.to_json(None), "new": False}

    def _checked(
        self, store: ObjectStore, item: dict[str, Any], own_id: int | None, key: str
    ) -> tuple[dict[str, str] | None, dict[str, Any]]:
        """(clean values, {}) or (None, the 207 error entry for this input)."""
        values = properties_of(item)
        if values is None:
            return None, input_error(
                "VALIDATION_ERROR", "the input needs a 'properties' object", [key]
            )
        clean, problems = store.registry.check(values)
        if problems:
            names = [p["name"] for p in problems]
            return None, input_error(
                "VALIDATION_ERROR",
                problems_message(problems),
                [key],
                context={"propertyName": names},
                errors=[
                    {
                        "message": p["message"],
                        "code": p["error"],
                        "context": {"propertyName": [p["name"]]},
                    }
                    for p in problems
                ],
            )
        clash = unique_clash(store, clean, own_id)
        if clash is not None:
            return None, input_error(
                "CONFLICT",
                clash_message(store, clash[1]),
                [key],
                context={"propertyName": [clash[0]]},
            )
        return clean, {}


def _not_found(store: ObjectStore, ids: list[str], verb: str) -> list[dict[str, Any]]:
    if not ids:
        return []
    label = store.kind.label
    return [
        input_error(
            "OBJECT_NOT_FOUND",
            f"Could not {verb} some {label} objects, they may "
            "be deleted or not exist. Check that ids are valid.",
            ids,
        )
    ]
