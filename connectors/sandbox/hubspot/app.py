"""The HubSpot CRM v3 emulator: routing, auth, rate limits, faults, human edits and state.

The unmodified hubspot-api-client talks to it with
``hubspot.Client.create(access_token=..., host=server.url)``. Endpoint behaviour lives in
:mod:`.objects`, :mod:`.batch`, :mod:`.search` and :mod:`.metadata`; this module decides who
may call what, when, and wraps answers in HubSpot's headers.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from connectors.sandbox.hubspot import errors
from connectors.sandbox.hubspot.batch import ACTIONS, BatchApi
from connectors.sandbox.hubspot.control import control_action
from connectors.sandbox.hubspot.defaults import contact_properties
from connectors.sandbox.hubspot.filters import SearchError
from connectors.sandbox.hubspot.metadata import Schemas, properties_api
from connectors.sandbox.hubspot.objects import ObjectsApi
from connectors.sandbox.hubspot.ratelimit import RateLimiter
from connectors.sandbox.hubspot.routes import Route, route
from connectors.sandbox.hubspot.search import SearchCapError, SearchEngine, parse
from connectors.sandbox.hubspot.seed import add_bulk, merge_records, seed_contacts
from connectors.sandbox.hubspot.store import ObjectKind, ObjectStore, Record
from connectors.sandbox.hubspot.values import iso, millis
from connectors.sandbox.server import App, Request, Response

CONTACT_KIND = ObjectKind(
    "0-1",
    "CONTACT",
    "createdate",
    ("lastmodifieddate", "hs_lastmodifieddate"),
    ("createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"),
    names=("0-1", "contacts", "contact"),
)
RATE_FAULTS = {
    "rate_limit_ten_secondly": "TEN_SECONDLY_ROLLING",
    "rate_limit_secondly": "SECONDLY",
    "rate_limit_daily": "DAILY",
}
STATE_VERSION = 1

log = logging.getLogger(__name__)


def _utc_now() -> datetime:
    return datetime.now(UTC)


class HubSpotEmulator(App):
    """HubSpot CRM v3 on loopback: contacts, search, batch, properties, custom objects."""

    name = "hubspot"

    def __init__(
        self,
        *,
        contacts: int = 200,
        seed: int = 42,
        now: Callable[[], datetime] | None = None,
        access_token: str = "pat-sandbox-token",
        tier: Literal["starter", "professional"] = "professional",
        rate_limits: bool = False,
        search_index_lag: timedelta = timedelta(0),
        create_status: int = 201,
        daily_limit: int = 650_000,
        faults: dict[str, Any] | None = None,
    ) -> None:
        super().__init__()
        if create_status not in (200, 201):
            raise ValueError(f"create_status must be 200 or 201, not {create_status}")
        self.seed, self.create_status = seed, create_status
        self.now = now or _utc_now
        self.access_token = access_token
        self.rate_limits, self.search_index_lag = rate_limits, search_index_lag
        self.limiter = RateLimiter(tier, daily_limit)
        self.contacts = ObjectStore(CONTACT_KIND, contact_properties())
        self.scenarios: dict[int, str] = seed_contacts(self.contacts, contacts, seed)
        self.schemas = Schemas()
        self.engine = SearchEngine()
        self.objects = ObjectsApi(self)
        self.batch = BatchApi(self.objects)
        self._pending: dict[str, list[Callable[[], None]]] = {}
        if faults:
            self.faults.load(faults)

    # -- clock -------------------------------------------------------------------------
    def clock_ms(self) -> int:
        """Now, in epoch milliseconds, from the injectable clock."""
        return millis(self.now())

    # -- App hooks ---------------------------------------------------------------------
    def operation(self, request: Request) -> str:
        """The operation name of a request (see :mod:`.routes`)."""
        return route(request.method, request.path, self._is_contacts).operation

    def dispatch(self, request: Request) -> Response:
        """Run callbacks registered with :meth:`before_next`, then serve."""
        if not request.path.startswith("/__sandbox__/"):
            for callback in self._take_pending(self.operation(request)):
                callback()
        return super().dispatch(request)

    def handle(self, request: Request) -> Response:
        """Auth, rate limits, the endpoint, and HubSpot's response headers."""
        token = request.headers.get("authorization", "")
        if token != f"Bearer {self.access_token}":
            return errors.unauthorized(missing=not token.startswith("Bearer "))
        found = route(request.method, request.path, self._is_contacts)
        refused, extra = self._throttle(found.operation == "search")
        response = refused or self._serve_safely(found, request)
        response.headers.setdefault("X-HubSpot-Correlation-Id", errors.correlation_id())
        response.headers.update(extra)
        return response

    def _throttle(self, search: bool) -> tuple[Response | None, dict[str, str]]:
        """(a 429 or None, the rate-limit headers to send: none on search responses)."""
        if not self.rate_limits:
            return None, {}
        with self.lock:
            now = self.now()
            policy = self.limiter.admit(millis(now), now.astimezone(UTC).date(), search)
            headers = {} if search else self.limiter.headers(millis(now))
        return (errors.rate_limited(policy) if policy else None), headers

    def _serve_safely(self, found: Route, request: Request) -> Response:
        """Serve; bad JSON is a 400 and an emulator bug a HubSpot-shaped 500 (logged)."""
        try:
            with self.lock:
                return self._serve(found, request)
        except json.JSONDecodeError as problem:
            return errors.validation(
                f"Invalid input JSON on line {problem.lineno}, column "
                f"{problem.colno}: {problem.msg}"
            )
        except Exception:
            log.exception("hubspot emulator failed on %s %s", request.method, request.path)
            return errors.server_error(500)

    def fault_response(self, kind: str, request: Request) -> Response | None:
        """HubSpot-shaped answers for rate_limit_*, unauthorized and httpNNN faults."""
        if kind in RATE_FAULTS:
            return errors.rate_limited(RATE_FAULTS[kind])
        if kind == "unauthorized":
            return errors.unauthorized(missing=False)
        if kind.startswith("http") and kind[4:].isdigit():
            return errors.server_error(int(kind[4:]))
        return None

    # -- routing -----------------------------------------------------------------------
    def _is_contacts(self, object_type: str) -> bool:
        return object_type.casefold() in CONTACT_KIND.names

    def store_for(self, object_type: str) -> ObjectStore | None:
        """The store behind an object type in a URL (contacts or a custom object)."""
        if self._is_contacts(object_type):
            return self.contacts
        return self.schemas.resolve(object_type)

    def _serve(self, found: Route, request: Request) -> Response:
        now_iso = iso(self.now())
        if found.area == "unknown":
            return errors.not_found(f"No route for {request.method} {request.path}")
        if found.area == "schemas":
            return self.schemas.handle(request, found.rest, now_iso)
        store = self.store_for(found.object_type)
        if store is None:
            return errors.error(
                400, "VALIDATION_ERROR", f"Unable to infer object type from: {found.object_type}"
            )
        if found.area == "properties":
            return properties_api(store, request, found.rest, now_iso)
        return self._objects(store, found, request)

    def _objects(self, store: ObjectStore, found: Route, request: Request) -> Response:
        rest, method = found.rest, request.method
        if not rest:
            return (
                self.objects.list(store, request)
                if method == "GET"
                else self.objects.create(store, request)
            )
        if rest[0] == "search" and method == "POST":
            return self._search(store, request)
        if rest[0] == "batch" and len(rest) == 2 and rest[1] in ACTIONS:
            return self.batch.handle(store, request, rest[1])
        if rest[0] == "merge" and method == "POST":
            return self._merge_endpoint(store, request)
        if method == "PATCH":
            return self.objects.update(store, request, rest[0])
        if method == "DELETE":
            return self.objects.archive(store, rest[0])
        return self.objects.get(store, request, rest[0])

    def _search(self, store: ObjectStore, request: Request) -> Response:
        try:
            query = parse(request.json(), store)
        except SearchCapError:
            return errors.validation(
                errors.SEARCH_CAP_MESSAGE, subCategory=errors.SEARCH_CAP_SUBCATEGORY
            )
        except SearchError as problem:
            return errors.validation(str(problem))
        lag = int(self.search_index_lag.total_seconds() * 1000)
        cutoff = self.clock_ms() - lag if lag > 0 else None
        return Response.json(self.engine.run(store, query, cutoff))

    def _merge_endpoint(self, store: ObjectStore, request: Request) -> Response:
        body = request.json() or {}
        primary = store.get(str(body.get("primaryObjectId")))
        secondary = store.get(str(body.get("objectIdToMerge")))
        if primary is None or secondary is None or primary.id == secondary.id:
            return errors.validation(
                "primaryObjectId and objectIdToMerge must be two different existing records"
            )
        merge_records(store, primary, secondary, self.clock_ms())
        return Response.json(primary.to_json(None))

    # -- before_next -------------------------------------------------------------------
    def before_next(self, op: str, callback: Callable[[], None]) -> None:
        """Run ``callback`` once, just before the next request of operation ``op``."""
        with self.lock:
            self._pending.setdefault(op, []).append(callback)

    def _take_pending(self, op: str) -> list[Callable[[], None]]:
        with self.lock:
            return self._pending.pop(op, [])

    # -- emulator-side actions (tests, benchmarks, the control API) --------------------
    def human_edit(self, contact_id: str | int, properties: dict[str, str]) -> dict[str, Any]:
        """A person edits a contact in the HubSpot UI (values checked, lastmodifieddate bumped)."""
        with self.lock:
            record = self._contact(contact_id)
            clean, problems = self.contacts.registry.check(properties)
            if problems:
                raise ValueError(f"contact {contact_id}: {problems[0]['message']}")
            self.contacts.write(record, clean, self.clock_ms(), source="CRM_UI")
            return record.to_json(None)

    def archive(self, contact_id: str | int) -> None:
        """Archive (soft-delete) a contact."""
        with self.lock:
            self.contacts.archive(self._contact(contact_id), self.clock_ms())

    def merge(self, primary: str | int, secondary: str | int) -> None:
        """Merge ``secondary`` into ``primary`` (secondary archived, hs_merged_object_ids)."""
        if str(primary) == str(secondary):
            raise ValueError(f"cannot merge contact {primary} into itself")
        with self.lock:
            merge_records(
                self.contacts, self._contact(primary), self._contact(secondary), self.clock_ms()
            )

    def add_contacts(self, count: int) -> list[str]:
        """Append ``count`` plain contacts quickly (benchmarks); returns their ids."""
        with self.lock:
            added = add_bulk(self.contacts, count, self.seed)
            self.scenarios.update(added)
            return [str(i) for i in added]

    def scenario_of(self, contact_id: str | int) -> str | None:
        """The seed scenario behind a contact (emulator-only knowledge), None if not seeded."""
        return self.scenarios.get(int(contact_id))

    def contact(self, contact_id: str | int) -> dict[str, Any]:
        """A contact's raw stored form (all properties, archived ones too)."""
        return self._contact(contact_id, any_state=True).to_json(None)

    def _contact(self, contact_id: str | int, any_state: bool = False) -> Record:
        record = self.contacts.records.get(int(contact_id))
        if record is None or (record.archived and not any_state):
            raise KeyError(f"no live contact {contact_id}")
        return record

    # -- control API -------------------------------------------------------------------
    def control_extra(self, action: str, request: Request) -> Response:
        """HubSpot control actions (:mod:`.control`), else the base ones."""
        answer = control_action(self, action, request)
        return answer if answer is not None else super().control_extra(action, request)

    # -- state -------------------------------------------------------------------------
    def save(self, path: Path | str) -> None:
        """Write the whole emulator state as JSON."""
        with self.lock:
            state = {
                "version": STATE_VERSION,
                "config": self._config(),
                "contacts": self.contacts.to_state(),
                "schemas": self.schemas.to_state(),
                "scenarios": {str(k): v for k, v in self.scenarios.items()},
            }
        Path(path).write_text(json.dumps(state), encoding="utf-8")

    def _config(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "access_token": self.access_token,
            "tier": self.limiter.tier,
            "rate_limits": self.rate_limits,
            "search_index_lag_ms": int(self.search_index_lag.total_seconds() * 1000),
            "create_status": self.create_status,
            "daily_limit": self.limiter.daily_limit,
        }

    @classmethod
    def load(cls, path: Path | str, now: Callable[[], datetime] | None = None) -> HubSpotEmulator:
        """An emulator restored from :meth:`save` output."""
        state = json.loads(Path(path).read_text(encoding="utf-8"))
        if state.get("version") != STATE_VERSION:
            raise ValueError(f"{path}: unsupported state version {state.get('version')!r}")
        config = dict(state["config"])
        lag = timedelta(milliseconds=config.pop("search_index_lag_ms"))
        emulator = cls(contacts=0, now=now, search_index_lag=lag, **config)
        emulator.contacts = ObjectStore.from_state(state["contacts"])
        emulator.schemas = Schemas.from_state(state["schemas"])
        emulator.scenarios = {int(k): v for k, v in state["scenarios"].items()}
        return emulator
