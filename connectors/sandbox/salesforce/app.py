"""The Salesforce REST API emulator: the unmodified simple-salesforce client talks to it.

Serve it with ``Server(SalesforceEmulator(...)).start()`` and give simple-salesforce the
session of ``connectors.salesforce.client.build_session`` as ``session=`` (it builds https
URLs; the session routes them here). Every data response carries ``Sforce-Limit-Info``;
errors are JSON arrays (crm-api-facts.md section 4).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from connectors.sandbox.salesforce.auth import INVALID_SESSION, Sessions, soap_fault
from connectors.sandbox.salesforce.bulk import BulkJobs
from connectors.sandbox.salesforce.control import ControlMixin, Hook
from connectors.sandbox.salesforce.query import Plan, compile_query
from connectors.sandbox.salesforce.rest import (
    Cursors,
    batch_size,
    invalid_locator,
    limits,
    replication,
    versions,
)
from connectors.sandbox.salesforce.routes import Route, route
from connectors.sandbox.salesforce.schema import LEAD_STATUS_FIELDS, Entity, lead_fields
from connectors.sandbox.salesforce.seed import seed_people
from connectors.sandbox.salesforce.soql import SoqlError, parse
from connectors.sandbox.salesforce.store import LeadStore, Row, lead_status_rows
from connectors.sandbox.salesforce.writes import (
    LOCKED,
    RequestError,
    Rules,
    state_error,
    unknown_field,
    update_collection,
    validate,
)
from connectors.sandbox.server import App, Request, Response

LIMIT_EXCEEDED = [
    {"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}
]
NOT_FOUND = [{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}]


def utc_now() -> datetime:
    """The real clock (read per request, never at construction)."""
    return datetime.now(UTC)


class SalesforceEmulator(ControlMixin, App):
    """An org with one API user, a Lead object with reason fields, and seeded messy leads."""

    name = "salesforce"

    def __init__(
        self,
        *,
        leads: int = 200,
        seed: int = 42,
        now: Callable[[], datetime] | None = None,
        daily_limit: int = 100_000,
        api_version: str = "59.0",
        username: str = "admin@leadloop.sandbox",
        password: str = "sandbox-password",
        security_token: str = "sandbox-token",
        restricted_reasons: bool = True,
        validation_rule: bool = False,
        faults: dict[str, Any] | None = None,
    ) -> None:
        super().__init__()
        self.settings = {
            "seed": seed,
            "daily_limit": daily_limit,
            "api_version": api_version,
            "restricted_reasons": restricted_reasons,
            "validation_rule": validation_rule,
        }
        self._clock = now or utc_now
        self.daily_limit = daily_limit
        self.api_version = api_version
        self.api_used = 0
        self.lead_entity = Entity("Lead", "00Q", lead_fields(restricted_reasons))
        self.entities = {
            "lead": self.lead_entity,
            "leadstatus": Entity("LeadStatus", "01J", LEAD_STATUS_FIELDS),
        }
        self.rules = Rules(validation_rule=validation_rule)
        self.store = LeadStore()
        seed_people(self.store, leads, seed)
        self.lead_statuses = lead_status_rows()
        self.sessions = Sessions(username, password, security_token, self.now)
        self.cursors = Cursors()
        self.bulk = BulkJobs(self.now, self.lock)
        self._hooks: list[tuple[str, Hook]] = []
        if faults:
            self.faults.load(faults)

    def now(self) -> datetime:
        """The emulator's current time (aware, from the clock given at construction)."""
        moment = self._clock()
        if moment.tzinfo is None:
            raise ValueError("the emulator clock returned a naive datetime")
        return moment

    # -- the App contract -------------------------------------------------------------------

    def operation(self, request: Request) -> str:
        """The operation name of ``request`` (see :mod:`.routes`)."""
        return route(request).op

    def handle(self, request: Request) -> Response:
        """Answer one API request."""
        target = route(request)
        self._run_hooks(target.op)
        if target.op == "bulk_poll":
            self.bulk.settle(target.parts[2])  # outside the lock the processing needs
        with self.lock:
            if target.op == "login":
                return self.sessions.soap_login(request, target.version)
            if target.op == "token":
                return self.sessions.token(request)
            if target.op == "versions":
                return Response.json(versions(self.api_version))
            if target.op == "unknown" or float(target.version) > float(self.api_version):
                return Response.json(NOT_FOUND, 404)
            return self._limited(self._data(target, request))

    def fault_response(self, kind: str, request: Request) -> Response | None:
        """Salesforce's answer for an injected fault (None: a kind the base class knows)."""
        target = route(request)
        if target.op == "login" and kind in ("invalid_session", "request_limit"):
            code = "INVALID_LOGIN" if kind == "invalid_session" else "REQUEST_LIMIT_EXCEEDED"
            return soap_fault(code, "injected fault")
        if kind == "invalid_session":
            return self._limited(Response.json(INVALID_SESSION, 401))
        if kind == "request_limit":
            return self._limited(Response.json(LIMIT_EXCEEDED, 403))
        if kind == "unable_to_lock_row":
            return self._limited(self._locked(target, request))
        return None

    def _locked(self, target: Route, request: Request) -> Response:
        if target.op == "composite":
            with self.lock:
                try:
                    results = update_collection(
                        self.store,
                        self.lead_entity,
                        request.json(),
                        self.now(),
                        self.rules,
                        locked=True,
                    )
                except RequestError as exc:
                    return Response.json(exc.body(), exc.status)
            return Response.json(results)
        status = 400 if target.op == "sobject_patch" else 503
        return Response.json(
            [{"message": LOCKED, "errorCode": "UNABLE_TO_LOCK_ROW", "fields": []}], status
        )

    def _limited(self, response: Response) -> Response:
        response.headers["Sforce-Limit-Info"] = f"api-usage={self.api_used}/{self.daily_limit}"
        return response

    def _data(self, target: Route, request: Request) -> Response:
        if not self.sessions.valid(request):
            return Response.json(INVALID_SESSION, 401)
        if self.api_used >= self.daily_limit:
            return Response.json(LIMIT_EXCEEDED, 403)
        self.api_used += 1
        handler: Callable[[Route, Request], Response] = getattr(self, f"_op_{target.op}")
        try:
            return handler(target, request)
        except SoqlError as exc:
            return Response.json([{"message": exc.message, "errorCode": exc.code}], 400)
        except RequestError as exc:
            return Response.json(exc.body(), exc.status)

    def _run_hooks(self, op: str) -> None:
        with self.lock:
            due = [hook for hook in self._hooks if hook[0] == op]
            self._hooks = [hook for hook in self._hooks if hook[0] != op]
        for _, callback in due:
            callback(self)

    # -- operations ---------------------------------------------------------------------------

    def _plan(self, soql: str | None) -> Plan:
        if not soql:
            raise RequestError(400, "MALFORMED_QUERY", "A query string is required (q=)")
        return compile_query(parse(soql), self.entities)

    def _rows(self, plan: Plan, include_deleted: bool) -> list[Row]:
        if plan.entity.name == "LeadStatus":
            return self.lead_statuses
        if plan.ids is not None:  # the predicate still runs on these: they are candidates
            return self.store.by_ids(plan.ids, include_deleted)
        return list(self.store.all() if include_deleted else self.store.live())

    def _op_query(self, target: Route, request: Request) -> Response:
        plan = self._plan(request.arg("q"))
        matched = plan.run(self._rows(plan, target.parts[0] == "queryAll"))
        if plan.count:
            return Response.json({"totalSize": len(matched), "done": True, "records": []})
        base = f"/services/data/v{target.version}/sobjects/{plan.entity.name}"
        records = [plan.project(row, base) for row in matched]
        return Response.json(self.cursors.first_page(target.version, records, batch_size(request)))

    def _op_query_more(self, target: Route, request: Request) -> Response:
        page = self.cursors.next_page(target.parts[1])
        return invalid_locator() if page is None else Response.json(page)

    def _op_describe(self, target: Route, request: Request) -> Response:
        entity = self.entities.get(target.parts[1].lower())
        if entity is None:
            return Response.json(NOT_FOUND, 404)
        return Response.json(entity.describe(target.version))

    def _lead_row(self, target: Route) -> Row | Response:
        if target.parts[1].lower() != "lead":
            return Response.json(NOT_FOUND, 404)
        row = self.store.get(target.parts[2])
        if row is None:
            return Response.json(NOT_FOUND, 404)
        if row["IsDeleted"]:
            return Response.json(
                [{"message": "entity is deleted", "errorCode": "ENTITY_IS_DELETED", "fields": []}],
                404,
            )
        return row

    def _op_sobject_get(self, target: Route, request: Request) -> Response:
        row = self._lead_row(target)
        if isinstance(row, Response):
            return row
        wanted = request.arg("fields")
        names = [name.strip() for name in wanted.split(",")] if wanted else None
        entity = self.lead_entity
        fields = [entity.field(name) for name in names] if names else list(entity.fields)
        if any(field is None for field in fields):
            return Response.json(
                [
                    {
                        "message": f"No such column in {wanted!r} on sobject of type Lead",
                        "errorCode": "INVALID_FIELD",
                    }
                ],
                400,
            )
        url = f"/services/data/v{target.version}/sobjects/Lead/{row['Id']}"
        record: dict[str, Any] = {"attributes": {"type": "Lead", "url": url}}
        record.update({field.name: row[field.name] for field in fields if field is not None})
        return Response.json(record)

    def _op_sobject_patch(self, target: Route, request: Request) -> Response:
        row = self._lead_row(target)
        if isinstance(row, Response):
            return row
        body = request.json()
        if not isinstance(body, dict):
            raise RequestError(400, "JSON_PARSER_ERROR", "Expected a JSON object")
        unknown_field(self.lead_entity, body)
        problem = state_error(row)
        changes, errors = validate(self.lead_entity, row, body, self.rules)
        errors = [problem] if problem else errors
        if errors:
            return Response.json(
                [
                    {"message": e["message"], "errorCode": e["statusCode"], "fields": e["fields"]}
                    for e in errors
                ],
                400,
            )
        self.store.update(row, changes, self.now())
        return Response(204)

    def _op_composite(self, target: Route, request: Request) -> Response:
        results = update_collection(
            self.store, self.lead_entity, request.json(), self.now(), self.rules
        )
        return Response.json(results)

    def _op_deleted(self, target: Route, request: Request) -> Response:
        return replication(self.store, request, "deleted")

    def _op_updated(self, target: Route, request: Request) -> Response:
        return replication(self.store, request, "updated")

    def _op_resources(self, target: Route, request: Request) -> Response:
        base = f"/services/data/v{target.version}"
        return Response.json(
            {
                name: f"{base}/{name}"
                for name in ("sobjects", "query", "queryAll", "limits", "composite", "jobs")
            }
        )

    def _op_limits(self, target: Route, request: Request) -> Response:
        return Response.json(limits(self.api_used, self.daily_limit, len(self.bulk.jobs)))

    def _op_bulk_create(self, target: Route, request: Request) -> Response:
        body = request.json()
        operation = body.get("operation") if isinstance(body, dict) else None
        if operation not in ("query", "queryAll"):
            raise RequestError(400, "INVALIDJOB", f"Unsupported operation: {operation!r}")
        plan = self._plan(body.get("query"))
        if plan.count:
            raise RequestError(400, "INVALIDJOB", "COUNT() is not supported by Bulk API query")
        rows = self._rows(plan, operation == "queryAll")
        job = self.bulk.create(plan, rows, operation, target.version)
        return Response.json(job.info())

    def _op_bulk_poll(self, target: Route, request: Request) -> Response:
        return self.bulk.poll(target.parts[2])

    def _op_bulk_results(self, target: Route, request: Request) -> Response:
        return self.bulk.results(
            target.parts[2], target.version, request.arg("locator"), request.arg("maxRecords")
        )

    # -- state files --------------------------------------------------------------------------

    def save(self, path: str | Path) -> None:
        """Write the org's data and settings to ``path`` as JSON (credentials are not saved)."""
        with self.lock:
            state = {
                "format": 1,
                "settings": self.settings,
                "api_used": self.api_used,
                "store": self.store.to_json(),
            }
        Path(path).write_text(json.dumps(state), encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path, **options: Any) -> SalesforceEmulator:
        """An emulator with the state saved at ``path`` (``options``: credentials, ``now``)."""
        state = json.loads(Path(path).read_text(encoding="utf-8"))
        emulator = cls(leads=0, **{**state["settings"], **options})
        emulator.store = LeadStore.from_json(state["store"])
        emulator.api_used = int(state["api_used"])
        return emulator
