"""The Salesforce REST API emulator: the unmodified simple-salesforce client talks to it.

Serve it with ``Server(SalesforceEmulator(...)).start()`` and give simple-salesforce the
session of ``connectors.salesforce.client.build_session`` as ``session=`` (it builds https
URLs; the session routes them here). Every data response carries ``Sforce-Limit-Info``;
errors are JSON arrays (https://developer.salesforce.com/docs/platform/api-rest/guide/errorcodes.html).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import quote, urlencode

from connectors.sandbox.salesforce.auth import (
    INVALID_SESSION,
    SESSION_TIMEOUT,
    USER_ID,
    Sessions,
    soap_fault,
)
from connectors.sandbox.salesforce.bulk import BulkJobs
from connectors.sandbox.salesforce.control import ControlMixin, Hook
from connectors.sandbox.salesforce.fields import Child, Entity
from connectors.sandbox.salesforce.quirks import QUIRKS, Quirks
from connectors.sandbox.salesforce.reads import ReadsMixin
from connectors.sandbox.salesforce.records import NOT_FOUND, RecordsMixin
from connectors.sandbox.salesforce.rest import (
    Cursors,
    versions,
)
from connectors.sandbox.salesforce.routes import Route, route
from connectors.sandbox.salesforce.schema import (
    LEAD_STATUS_FIELDS,
    lead_fields,
    task_fields,
)
from connectors.sandbox.salesforce.seed import Shape, seed_people, seed_tasks
from connectors.sandbox.salesforce.soql import SoqlError
from connectors.sandbox.salesforce.store import LeadStore, TaskStore, lead_status_rows
from connectors.sandbox.salesforce.validation import RequestError, Rules
from connectors.sandbox.salesforce.writes import LOCKED, SObject, update_collection
from connectors.sandbox.server import App, Request, Response

LIMIT_EXCEEDED = [
    {"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}
]
#: the longest request URI Salesforce accepts (https://help.salesforce.com/s/articleView?id=000386264&type=1)
MAX_URI_BYTES = 16_384


def utc_now() -> datetime:
    """The real clock (read per request, never at construction)."""
    return datetime.now(UTC)


class SalesforceEmulator(ControlMixin, RecordsMixin, ReadsMixin, App):
    """An org with one API user, Lead (with reason fields) and Task objects, and seeded messy
    leads. Realistic behaviours (:data:`QUIRKS`) are on unless named in ``quirks_off``."""

    name = "salesforce"
    QUIRKS: ClassVar[Mapping[str, str]] = QUIRKS

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
        quirks_off: Collection[str] = (),
        faults: dict[str, Any] | None = None,
    ) -> None:
        super().__init__()
        self.quirks = Quirks(quirks_off)
        self.settings = {
            "seed": seed,
            "daily_limit": daily_limit,
            "api_version": api_version,
            "restricted_reasons": restricted_reasons,
            "quirks_off": sorted(self.quirks.off),
        }
        self._clock = now or utc_now
        self.daily_limit = daily_limit
        self.api_version = api_version
        self.api_used = 0
        self.api_user = USER_ID
        self._build_org(restricted_reasons)
        seed_people(self.store, leads, seed, self.shape)
        seed_tasks(self.tasks, self.store)
        timeout = SESSION_TIMEOUT if self.quirks.on("session_timeout") else None
        self.sessions = Sessions(username, password, security_token, self.now, timeout)
        self.cursors = Cursors()
        self.bulk = BulkJobs(self.now, self.lock)
        self._hooks: list[tuple[str, Hook]] = []
        if faults:
            self.faults.load(faults)

    def _build_org(self, restricted_reasons: bool) -> None:
        """The schema and the (empty) data stores, shaped by the quirks."""
        quirk = self.quirks.on
        self.shape = Shape(
            status_field=not quirk("no_status_changed_field"), bursts=quirk("same_second_bursts")
        )
        whole = quirk("whole_second_stamps")
        self.lead_entity = Entity(
            "Lead",
            "00Q",
            lead_fields(restricted_reasons, self.shape.status_field),
            (Child("Tasks", "Task", "WhoId"),),
        )
        self.task_entity = Entity("Task", "00T", task_fields())
        self.entities = {
            "lead": self.lead_entity,
            "leadstatus": Entity("LeadStatus", "01J", LEAD_STATUS_FIELDS),
            "task": self.task_entity,
        }
        self.rules = Rules(reason_required=quirk("reason_required_rule"))
        self.store = LeadStore(whole)
        self.tasks = TaskStore(whole)
        self.objects = {
            "lead": SObject(self.lead_entity, self.store),
            "task": SObject(self.task_entity, self.tasks),
        }
        self.lead_statuses = lead_status_rows()

    def quirk_on(self, name: str) -> bool:
        """Whether realistic behaviour ``name`` (a key of :data:`QUIRKS`) is on."""
        return self.quirks.on(name)

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
        if self._uri_bytes(request) > MAX_URI_BYTES and self.quirks.on("uri_length_limit"):
            return Response.text("414 URI Too Long", 414, "text/html")
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

    @staticmethod
    def _uri_bytes(request: Request) -> int:
        """The length of the request URI as the client sent it (path and query string)."""
        query = urlencode(request.query, doseq=True)
        return len(quote(request.path)) + (len(query) + 1 if query else 0)

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
                    results = update_collection(self.writer(), request.json(), locked=True)
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

    # -- state files --------------------------------------------------------------------------

    def save(self, path: str | Path) -> None:
        """Write the org's data and settings to ``path`` as JSON (credentials are not saved)."""
        with self.lock:
            state = {
                "format": 1,
                "settings": self.settings,
                "api_used": self.api_used,
                "store": self.store.to_json(),
                "tasks": self.tasks.to_json(),
            }
        Path(path).write_text(json.dumps(state), encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path, **options: Any) -> SalesforceEmulator:
        """An emulator with the state saved at ``path`` (``options``: credentials, ``now``)."""
        state = json.loads(Path(path).read_text(encoding="utf-8"))
        settings = dict(state["settings"])
        if not settings.pop("validation_rule", True):  # a state file from before the quirks
            settings["quirks_off"] = [*settings.get("quirks_off", []), "reason_required_rule"]
        emulator = cls(leads=0, **{**settings, **options})
        with emulator.lock:
            emulator.store.load_json(state["store"])
            emulator.tasks.load_json(state.get("tasks", {"rows": [], "sequence": 0}))
            emulator.api_used = int(state["api_used"])
        return emulator
