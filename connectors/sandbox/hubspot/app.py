"""The HubSpot CRM v3 emulator: routing, auth, rate limits, faults and the realistic quirks.

The unmodified hubspot-api-client talks to it with
``hubspot.Client.create(access_token=..., host=server.url)``. Endpoint behaviour lives in
:mod:`.objects`, :mod:`.batch`, :mod:`.search` and :mod:`.metadata`; emulator-side actions
(human edits, merges) in :mod:`.actions`, state files in :mod:`.state`. This module decides who
may call what, when, and wraps answers in HubSpot's headers. Every realistic behaviour is on
unless named in ``quirks_off`` (:data:`.quirks.QUIRKS`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Collection, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from connectors.sandbox.hubspot import errors
from connectors.sandbox.hubspot.actions import EmulatorActions
from connectors.sandbox.hubspot.associations import Associations
from connectors.sandbox.hubspot.batch import ACTIONS, BatchApi
from connectors.sandbox.hubspot.defaults import contact_properties
from connectors.sandbox.hubspot.engagements import note_store, task_store
from connectors.sandbox.hubspot.filters import LENIENT, Rules, SearchError
from connectors.sandbox.hubspot.metadata import Schemas, properties_api
from connectors.sandbox.hubspot.objects import ObjectsApi
from connectors.sandbox.hubspot.quirks import QUIRKS, Quirks
from connectors.sandbox.hubspot.ratelimit import LimitClock, RateLimiter
from connectors.sandbox.hubspot.records import ObjectKind, Record
from connectors.sandbox.hubspot.routes import Route, route
from connectors.sandbox.hubspot.search import SearchCapError, SearchEngine, parse
from connectors.sandbox.hubspot.seed import place_bursts, seed_contacts
from connectors.sandbox.hubspot.store import ObjectStore
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
#: "It may take a few moments ..." (search-the-crm, Limits): a few seconds, 3 here
SEARCH_INDEX_LAG = timedelta(seconds=3)

log = logging.getLogger(__name__)


def _utc_now() -> datetime:
    return datetime.now(UTC)


class HubSpotEmulator(EmulatorActions, App):
    """HubSpot CRM v3 on loopback: contacts, tasks, notes, search, batch, metadata, schemas."""

    name = "hubspot"
    QUIRKS: Mapping[str, str] = QUIRKS

    def __init__(
        self,
        *,
        contacts: int = 200,
        seed: int = 42,
        now: Callable[[], datetime] | None = None,
        access_token: str = "pat-sandbox-token",
        tier: Literal["starter", "professional", "enterprise"] = "professional",
        quirks_off: Collection[str] = (),
        rate_limits: bool | None = None,
        search_index_lag: timedelta | None = None,
        create_status: int | None = None,
        daily_limit: int | None = None,
        custom_objects: bool = True,
        limits_follow_real_time: bool = True,
        faults: dict[str, Any] | None = None,
    ) -> None:
        """``quirks_off`` names realistic behaviours to switch off; ``rate_limits``,
        ``search_index_lag`` and ``create_status`` override their quirk finely;
        ``custom_objects=False`` is a portal whose tier has none (403 on schemas)."""
        super().__init__()
        self.quirks = Quirks(quirks_off)
        self.create_status = create_status or (200 if self.quirk("create_200") else 201)
        if self.create_status not in (200, 201):
            raise ValueError(f"create_status must be 200 or 201, not {create_status}")
        self.seed = seed
        self.now = now or _utc_now
        self.access_token = access_token
        self.rate_limits = self.quirk("rate_limits") if rate_limits is None else rate_limits
        default_lag = SEARCH_INDEX_LAG if self.quirk("search_index_lag") else timedelta(0)
        self.search_index_lag = default_lag if search_index_lag is None else search_index_lag
        self.custom_objects = custom_objects
        self.limiter = RateLimiter(tier, daily_limit)
        self.limit_clock = LimitClock(self.now, follow_real_time=limits_follow_real_time)
        self._seed_portal(contacts)
        self.tasks, self.notes = task_store(), note_store()
        self.associations = Associations()
        self.schemas = Schemas()
        self.engine = SearchEngine()
        self.objects = ObjectsApi(self)
        self.batch = BatchApi(self.objects)
        self._pending: dict[str, list[Callable[[], None]]] = {}
        if faults:
            self.faults.load(faults)

    def _seed_portal(self, contacts: int) -> None:
        """The seeded contacts (with the custom date only when that quirk is off)."""
        status_field = not self.quirk("no_status_changed_at")
        registry = contact_properties(status_changed_at=status_field)
        self.contacts = ObjectStore(CONTACT_KIND, registry)
        self.scenarios: dict[int, str] = seed_contacts(
            self.contacts, contacts, self.seed, status_changed_at=status_field
        )
        if self.quirk("seed_bursts"):
            place_bursts(self.contacts)

    def quirk(self, name: str) -> bool:
        """Whether the realistic behaviour ``name`` (:data:`QUIRKS`) is on."""
        return self.quirks.on(name)

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
            now_ms = self.limit_clock.now_ms()
            policy = self.limiter.admit(now_ms, search)
            headers = {} if search else self.limiter.headers(now_ms)
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
        """The store behind an object type in a URL (contacts, tasks, notes, custom)."""
        folded = object_type.casefold()
        for store in (self.contacts, self.tasks, self.notes):
            if folded in store.kind.names:
                return store
        return self.schemas.resolve(object_type) if self.custom_objects else None

    def _serve(self, found: Route, request: Request) -> Response:
        now_iso = iso(self.now())
        if found.area == "unknown":
            return errors.not_found(f"No route for {request.method} {request.path}")
        if found.area == "schemas":
            if not self.custom_objects:
                scope = "read" if request.method == "GET" else "write"
                return errors.missing_scopes([f"crm.schemas.custom.{scope}"])
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
                self.objects.page(store, request)
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
        rules = Rules() if self.quirk("search_filter_limits") else LENIENT
        rules = Rules(rules.per_group, rules.total, self.quirk("search_case_rules"))
        try:
            query = parse(request.json(), store, rules)
        except SearchCapError:
            return errors.validation(
                errors.SEARCH_CAP_MESSAGE, subCategory=errors.SEARCH_CAP_SUBCATEGORY
            )
        except SearchError as problem:
            return errors.validation(str(problem))
        lag = int(self.search_index_lag.total_seconds() * 1000)
        cutoff = self.clock_ms() - lag if lag > 0 else None

        def associated(target: str, record: Record) -> set[int]:
            other = self.store_for(target)
            if other is None or other in self.schemas.stores.values():
                return set()  # custom object associations are not searchable (search guide)
            key = (store.kind.type_id, record.id)
            return set(self.associations.ids_of(key, other.kind.type_id))

        return Response.json(self.engine.run(store, query, cutoff, associated))

    def _merge_endpoint(self, store: ObjectStore, request: Request) -> Response:
        body = request.json() or {}
        primary = store.get(str(body.get("primaryObjectId")))
        secondary = store.get(str(body.get("objectIdToMerge")))
        if primary is None or secondary is None or primary.id == secondary.id:
            return errors.validation(
                "primaryObjectId and objectIdToMerge must be two different existing records"
            )
        self.merge_into(store, primary, secondary)
        return Response.json(primary.to_json(None))

    # -- before_next -------------------------------------------------------------------
    def before_next(self, op: str, callback: Callable[[], None]) -> None:
        """Run ``callback`` once, just before the next request of operation ``op``."""
        with self.lock:
            self._pending.setdefault(op, []).append(callback)

    def _take_pending(self, op: str) -> list[Callable[[], None]]:
        with self.lock:
            return self._pending.pop(op, [])
