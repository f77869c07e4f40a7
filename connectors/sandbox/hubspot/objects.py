"""Basic object endpoints of ``/crm/v3/objects/{type}``: list, get, create, update, archive.

Shared by contacts and custom objects; the batch endpoints live in :mod:`.batch`. Values are
checked against the type's property registry (unknown, read-only, bad option -> 400
VALIDATION_ERROR "Property values were not valid: [...]"), unique properties refuse a second
record with the same value (409 CONFLICT "... already exists. Existing ID: N").
"""

from __future__ import annotations

from typing import Any, Protocol

from connectors.sandbox.hubspot import errors
from connectors.sandbox.hubspot.properties import problems_message
from connectors.sandbox.hubspot.store import ObjectStore, Record
from connectors.sandbox.server import Request, Response

MAX_PAGE = 100
MAX_HISTORY_PAGE = 50  # list pages with propertiesWithHistory


class Context(Protocol):
    """What the handlers need from the emulator."""

    create_status: int

    def clock_ms(self) -> int:
        """Now, in epoch milliseconds."""
        ...


def requested(request: Request, name: str = "properties") -> list[str] | None:
    """Repeated (or comma-separated) ``properties`` query values; None when absent."""
    values = [part for raw in request.query.get(name, []) for part in raw.split(",") if part]
    return values or None


def shown(record: Record, names: list[str], history: list[str] | None) -> dict[str, Any]:
    """A record's JSON with ``names``, plus ``propertiesWithHistory`` when asked for."""
    body = record.to_json(names)
    if history:
        body["propertiesWithHistory"] = record.history_of(history)
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


def unique_clash(
    store: ObjectStore, values: dict[str, str], own_id: int | None
) -> tuple[str, int] | None:
    """(property, existing id) when a value is already taken by another live record."""
    for name, value in values.items():
        if store.is_unique(name):
            owner = store.unique_owner(name, value)
            if owner is not None and owner != own_id:
                return name, owner
    return None


def clash_message(store: ObjectStore, owner: int) -> str:
    """HubSpot's 409 message for a taken unique value."""
    return f"{store.kind.label.capitalize()} already exists. Existing ID: {owner}"


class ObjectsApi:
    """Single-record handlers; each returns a :class:`Response`."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def list(self, store: ObjectStore, request: Request) -> Response:
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
        body: dict[str, Any] = {"results": [shown(r, names, history) for r in records]}
        if following is not None:
            body["paging"] = {"next": {"after": str(following)}}
        return Response.json(body)

    def get(self, store: ObjectStore, request: Request, record_id: str) -> Response:
        """``GET /crm/v3/objects/{type}/{id}`` (``idProperty``, ``archived``)."""
        record = store.find(
            record_id, request.arg("idProperty"), archived=flag(request, "archived")
        )
        if record is None:
            return missing(store, record_id)
        return Response.json(
            shown(
                record,
                names_for(store, requested(request)),
                requested(request, "propertiesWithHistory"),
            )
        )

    def create(self, store: ObjectStore, request: Request) -> Response:
        """``POST /crm/v3/objects/{type}``: 201 (or the configured 200)."""
        values = properties_of(request.json())
        if values is None:
            return errors.validation("the body needs a 'properties' object")
        clean, problems = store.registry.check(values)
        if problems:
            return errors.validation(problems_message(problems), errors=problems)
        clash = unique_clash(store, clean, None)
        if clash is not None:
            return errors.conflict(clash_message(store, clash[1]))
        record = store.insert(clean, self.ctx.clock_ms())
        return Response.json(record.to_json(None), self.ctx.create_status)

    def update(self, store: ObjectStore, request: Request, record_id: str) -> Response:
        """``PATCH /crm/v3/objects/{type}/{id}``."""
        record = store.find(record_id, request.arg("idProperty"))
        if record is None:
            return missing(store, record_id)
        values = properties_of(request.json())
        if values is None:
            return errors.validation("the body needs a 'properties' object")
        outcome = self.apply(store, record, values)
        if isinstance(outcome, Response):
            return outcome
        return Response.json(record.to_json(None))

    def apply(self, store: ObjectStore, record: Record, values: dict[str, Any]) -> Response | None:
        """Check and write ``values`` to ``record``; an error response, or None when written."""
        clean, problems = store.registry.check(values)
        if problems:
            return errors.validation(problems_message(problems), errors=problems)
        clash = unique_clash(store, clean, record.id)
        if clash is not None:
            return errors.conflict(clash_message(store, clash[1]))
        store.write(record, clean, self.ctx.clock_ms())
        return None

    def archive(self, store: ObjectStore, record_id: str) -> Response:
        """``DELETE /crm/v3/objects/{type}/{id}``: 204."""
        record = store.get(record_id)
        if record is not None:  # HubSpot answers 204 for unknown ids as well
            store.archive(record, self.ctx.clock_ms())
        return Response(204)
