"""Batch endpoints ``/crm/v3/objects/{type}/batch/{read,create,update,upsert,archive}``.

At most 100 inputs (400 VALIDATION_ERROR with HubSpot's exact message above that; 50 for a
read with ``propertiesWithHistory``). Ids that do not exist answer 207 Multi-Status with one
OBJECT_NOT_FOUND error listing them in ``context.ids``.

Refused values (quirk ``batch_all_or_nothing``, https://developers.hubspot.com/docs/
api-reference/error-handling, Multi-status errors): the whole batch fails with the first
input's 400 VALIDATION_ERROR or 409 CONFLICT and nothing is written, unless every input carries
an ``objectWriteTraceId``; then the good inputs are written and 207 lists each failed one with
``context.objectWriteTraceId``. With the quirk off every refused input gets its own 207 entry
naming its id. Creates answer 200 (201 with quirk ``create_200`` off); upsert results carry
``new``.
"""

from __future__ import annotations

from typing import Any

from connectors.sandbox.hubspot import errors
from connectors.sandbox.hubspot.associations import AssociationError
from connectors.sandbox.hubspot.associations import parse as parse_associations
from connectors.sandbox.hubspot.batchplan import Plan, Planner, input_error
from connectors.sandbox.hubspot.objects import ObjectsApi, names_for, refusal, shown
from connectors.sandbox.hubspot.store import ObjectStore
from connectors.sandbox.hubspot.values import from_millis, iso
from connectors.sandbox.server import Request, Response

MAX_INPUTS = 100
MAX_HISTORY_INPUTS = 50
ACTIONS = ("read", "create", "update", "upsert", "archive")
Outcome = tuple[list[dict[str, Any]], list[dict[str, Any]]]


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
        if action == "read":
            outcome: Outcome | Response = self._read(store, body, inputs, request)
        else:
            outcome = self._write(store, body, inputs, action)
        if isinstance(outcome, Response):
            return outcome
        status = self.ctx.create_status if action == "create" else 200
        return self._answer(*outcome, started, status)

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
        self, store: ObjectStore, body: dict[str, Any], inputs: list[Any], request: Request
    ) -> Outcome:
        archived = (request.arg("archived") or "false").lower() == "true"
        names = names_for(store, body.get("properties") or None)
        history = body.get("propertiesWithHistory") or None
        results, absent = [], []
        for item in inputs:
            record = store.find(str(item.get("id")), body.get("idProperty"), archived=archived)
            if record is None:
                absent.append(str(item.get("id")))
            else:
                results.append(shown(store, record, names, history))
        return results, not_found(store, absent, "get")

    def _write(
        self, store: ObjectStore, body: dict[str, Any], inputs: list[Any], action: str
    ) -> Outcome | Response:
        planner = Planner(self.objects, store, action, self.ctx.quirk("id_property_rules"))
        refused = planner.refuse_batch(body, inputs)
        if refused is not None:
            return refused
        plans = planner.plan(inputs)
        failed = [p for p in plans if p.checked is not None and not p.checked.ok]
        traced = all(isinstance(i.get("objectWriteTraceId"), str) for i in inputs)
        if failed and self.ctx.quirk("batch_all_or_nothing") and not traced:
            assert failed[0].checked is not None
            return refusal(failed[0].checked)
        try:
            links = [
                parse_associations(i.get("associations"), store, self.ctx.store_for) for i in inputs
            ]
        except AssociationError as problem:
            return errors.validation(str(problem))
        results = [self._apply(store, p, links[n]) for n, p in enumerate(plans) if p.writable]
        problems = [input_error(p, traced) for p in failed]
        absent = [p.key for p in plans if p.absent]
        verb = "create" if action == "create" else "update"
        return results, problems + not_found(store, absent, verb)

    def _apply(self, store: ObjectStore, plan: Plan, links: list[Any]) -> dict[str, Any]:
        assert plan.checked is not None
        values = plan.checked.values
        if plan.record is None:
            record = self.objects.insert(store, values, links)
        else:
            record = plan.record
            store.write(record, values, self.ctx.clock_ms())
        body = record.to_json(None)
        if plan.upsert:
            body["new"] = plan.record is None
        if plan.trace is not None:
            body["objectWriteTraceId"] = plan.trace
        return body


def not_found(store: ObjectStore, ids: list[str], verb: str) -> list[dict[str, Any]]:
    """The one OBJECT_NOT_FOUND entry of a 207 listing ``ids`` (none when there are none)."""
    if not ids:
        return []
    label = store.kind.label
    return [
        {
            "status": "error",
            "category": "OBJECT_NOT_FOUND",
            "message": f"Could not {verb} some {label} objects, they may "
            "be deleted or not exist. Check that ids are valid.",
            "context": {"ids": ids},
            "errors": [],
            "links": {},
        }
    ]
