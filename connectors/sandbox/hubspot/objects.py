"""Basic object endpoints of ``/crm/v3/objects/{type}``: list, get, create, update, archive.

Shared by contacts, tasks, notes and custom objects; the batch endpoints live in :mod:`.batch`.
Values are checked by :mod:`.checks` (400 VALIDATION_ERROR "Property values were not valid:
[...]", 409 CONFLICT "... already exists. Existing ID: N"). A create may associate the new
record (:mod:`.associations`); get and list return associations on request
(``associations=contacts``).
"""

from __future__ import annotations

from typing import Any, Protocol

from connectors.sandbox.hubspot import errors
from connectors.sandbox.hubspot.associations import AssociationError, Associations, Key
from connectors.sandbox.hubspot.associations import parse as parse_associations
from connectors.sandbox.hubspot.checks import Checked, check
from connectors.sandbox.hubspot.store import ObjectStore, Record
from connectors.sandbox.server import Request, Response

MAX_PAGE = 100
MAX_HISTORY_PAGE = 50  # list pages with propertiesWithHistory


class Context(Protocol):
    """What the handlers need from the emulator."""

    create_status: int
    associations: Associations

    def clock_ms(self) -> int:
        """Now, in epoch milliseconds."""
        ...

    def quirk(self, name: str) -> bool:
        """Whether a realistic behaviour (:mod:`.quirks`) is on."""
        ...

    def store_for(self, object_type: str) -> ObjectStore | None:
        """The store behind an object type in a URL."""
        ...


def requested(request: Request, name: str = "properties") -> list[str] | None:
    """Repeated (or comma-separated) ``properties`` query values; None when absent."""
    values = [part for raw in request.query.get(name, []) for part in raw.split(",") if part]
    return values or None


def shown(
    store: ObjectStore, record: Record, names: list[str], history: list[str] | None
) -> dict[str, Any]:
    """A record's JSON with ``names``, plus ``propertiesWithHistory`` when asked for (of the
    properties the type defines: "If a requested property isn't defined, it won't be
    included", https://developers.hubspot.com/docs/api-reference/legacy/crm/objects/contacts/guide)."""
    body = record.to_json(names)
    if history:
        defined = [name for name in history if store.registry.get(name) is not None]
        body["propertiesWithHistory"] = record.history_of(defined)
    return body


def names_for(store: ObjectStore, wanted: list[str] | None) -> list[str]:
    """Requested properties (or the type's defaults) plus the id and the two timestamps.

    Requested names that are not properties of the type are left out, as HubSpot does.
    """
    base = wanted if wanted else list(store.kind.default_props)
    known = [name for name in base if store.registry.get(name) is not None]
    return list(
        dict.fromkeys([*known, "hs_object_id", store.kind.created_prop, store.modified_prop])
    )


def flag(request: Request, name: str) -> bool:
    """A boolean query flag such as ``archived=true``."""
    return (request.arg(name) or "false").lower() == "true"


def missing(store: ObjectStore, record_id: str) -> Response:
    """404 for a record that does not exist (or is archived)."""
    return errors.not_found(
        f"Object not found. objectId are usually numeric. ({record_id})",
        context={"id": [record_id]},
    )


def properties_of(body: Any) -> dict[str, Any] | None:
    """The ``properties`` object of a write body (None when absent or not an object)."""
    if isinstance(body, dict) and isinstance(body.get("properties"), dict):
        return body["properties"]
    return None


class ObjectsApi:
    """Single-record handlers; each returns a :class:`Response`."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def check(
        self, store: ObjectStore, values: dict[str, Any], own_id: int | None, creating: bool
    ) -> Checked:
        """:func:`.checks.check` with the emulator's quirks."""
        return check(
            store,
            values,
            own_id=own_id,
            creating=creating,
            midnight_dates=self.ctx.quirk("date_midnight"),
        )

    def page(self, store: ObjectStore, request: Request) -> Response:
        """``GET /crm/v3/objects/{type}``: id-ordered pages of at most 100."""
        try:
            limit = int(request.arg("limit") or 10)
            after = int(request.arg("after") or 0)
        except ValueError:
            return errors.validation("limit and after must be integers")
        history = requested(request, "propertiesWithHistory")
        most = MAX_HISTORY_PAGE if history else MAX_PAGE
        if not 0 < limit <= most:
            return errors.validation(f"limit must be between 1 and {most}, got {limit}")
        records, following = store.page(after, limit, flag(request, "archived"))
        names = names_for(store, requested(request))
        wanted = requested(request, "associations")
        results = [self._full(store, r, names, history, wanted) for r in records]
        body: dict[str, Any] = {"results": results}
        if following is not None:
            body["paging"] = {"next": {"after": str(following)}}
        return Response.json(body)

    def get(self, store: ObjectStore, request: Request, record_id: str) -> Response:
        """``GET /crm/v3/objects/{type}/{id}`` (``idProperty``, ``archived``, ``associations``)."""
        record = store.find(
            record_id, request.arg("idProperty"), archived=flag(request, "archived")
        )
        if record is None:
            return missing(store, record_id)
        names = names_for(store, requested(request))
        history = requested(request, "propertiesWithHistory")
        wanted = requested(request, "associations")
        return Response.json(self._full(store, record, names, history, wanted))

    def _full(
        self,
        store: ObjectStore,
        record: Record,
        names: list[str],
        history: list[str] | None,
        wanted: list[str] | None,
    ) -> dict[str, Any]:
        """``shown`` plus ``associations`` ("Any specified associations that don't exist will
        not be returned in the response", contacts guide)."""
        body = shown(store, record, names, history)
        found: dict[str, Any] = {}
        for name in wanted or []:
            target = self.ctx.store_for(name)
            if target is None:
                continue
            entry = self.ctx.associations.json_of(
                (store.kind.type_id, record.id), target.kind.type_id
            )
            if entry["results"]:
                found[target.kind.names[1]] = entry
        if found:
            body["associations"] = found
        return body

    def create(self, store: ObjectStore, request: Request) -> Response:
        """``POST /crm/v3/objects/{type}``: 200 (201 with quirk ``create_200`` off)."""
        body = request.json()
        values = properties_of(body)
        if values is None:
            return errors.validation("the body needs a 'properties' object")
        try:
            links = parse_associations(body.get("associations"), store, self.ctx.store_for)
        except AssociationError as problem:
            return errors.validation(str(problem))
        checked = self.check(store, values, None, creating=True)
        if not checked.ok:
            return refusal(checked)
        record = self.insert(store, checked.values, links)
        return Response.json(record.to_json(None), self.ctx.create_status)

    def insert(
        self, store: ObjectStore, values: dict[str, str], links: list[tuple[Key, int]]
    ) -> Record:
        """Store a new record and its associations."""
        record = store.insert(values, self.ctx.clock_ms())
        for target, type_id in links:
            self.ctx.associations.link((store.kind.type_id, record.id), target, type_id)
        return record

    def update(self, store: ObjectStore, request: Request, record_id: str) -> Response:
        """``PATCH /crm/v3/objects/{type}/{id}``."""
        record = store.find(record_id, request.arg("idProperty"))
        if record is None:
            return missing(store, record_id)
        values = properties_of(request.json())
        if values is None:
            return errors.validation("the body needs a 'properties' object")
        checked = self.check(store, values, record.id, creating=False)
        if not checked.ok:
            return refusal(checked)
        store.write(record, checked.values, self.ctx.clock_ms())
        return Response.json(record.to_json(None))

    def archive(self, store: ObjectStore, record_id: str) -> Response:
        """``DELETE /crm/v3/objects/{type}/{id}``: 204."""
        record = store.get(record_id)
        if record is not None:  # HubSpot answers 204 for unknown ids as well
            store.archive(record, self.ctx.clock_ms())
        return Response(204)


def refusal(checked: Checked) -> Response:
    """The 400 or 409 answer for refused values."""
    if checked.category == "CONFLICT":
        return errors.conflict(checked.message)
    return errors.validation(checked.message, errors=errors.error_details(checked.problems))
