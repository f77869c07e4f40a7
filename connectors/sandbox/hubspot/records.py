"""One CRM record, who wrote its values (property history), and what differs between types.

``propertiesWithHistory`` answers list each requested property's values newest first as
``{"value","timestamp","sourceType"[,"sourceId"][,"updatedByUserId"]}``: writes through a
private app carry ``sourceType: INTEGRATION`` and the app's id, edits in the HubSpot UI
``CRM_UI``, ``sourceId: "userId:N"`` and ``updatedByUserId: N``, imports ``IMPORT`` (the
``ValueWithTimestamp`` model of
https://developers.hubspot.com/docs/api-reference/legacy/crm/objects/contacts/guide, and
recorded answers in the wild). Only changes make an entry: writing the value a property
already holds adds none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from connectors.sandbox.hubspot.values import from_millis, iso

#: the emulated private app's id (the sourceId of its writes)
APP_ID = "4242001"
IMPORT_ID = "36550001"


@dataclass(frozen=True)
class Source:
    """Who wrote a value: sourceType, sourceId and, for people, their user id."""

    type: str
    id: str | None = None
    user_id: int | None = None

    @classmethod
    def user(cls, user_id: int) -> Source:
        """An edit in the HubSpot UI by user ``user_id``."""
        return cls("CRM_UI", f"userId:{user_id}", user_id)

    def to_list(self) -> list[Any]:
        """Compact JSON-ready form (state files)."""
        return [self.type, self.id, self.user_id]

    @classmethod
    def from_list(cls, raw: list[Any]) -> Source:
        """The inverse of :meth:`to_list`."""
        return cls(raw[0], raw[1], raw[2])


API = Source("INTEGRATION", APP_ID)
IMPORT = Source("IMPORT", IMPORT_ID)


def history_entry(value: str, stamp_ms: int, source: Source) -> dict[str, Any]:
    """One ``propertiesWithHistory`` entry."""
    entry: dict[str, Any] = {
        "value": value,
        "timestamp": iso(from_millis(stamp_ms)),
        "sourceType": source.type,
    }
    if source.id is not None:
        entry["sourceId"] = source.id
    if source.user_id is not None:
        entry["updatedByUserId"] = source.user_id
    return entry


@dataclass
class Record:
    id: int
    properties: dict[str, str]
    created_ms: int
    updated_ms: int
    archived: bool = False
    archived_ms: int | None = None
    #: property -> [value, millis, sourceType, sourceId, userId], newest first; only properties
    #: changed after creation (the creation value is synthesised, see :meth:`history_of`)
    history: dict[str, list[list[Any]]] = field(default_factory=dict)
    created_by: list[Any] = field(default_factory=lambda: API.to_list())

    def history_of(self, names: list[str]) -> dict[str, list[dict[str, Any]]]:
        """``propertiesWithHistory`` for ``names`` (values newest first)."""
        result: dict[str, list[dict[str, Any]]] = {}
        for name in names:
            entries = self.history.get(name)
            if entries is None:
                value = self.properties.get(name)
                entries = [] if value is None else [[value, self.created_ms, *self.created_by]]
            result[name] = [
                history_entry(value, stamp, Source.from_list(who)) for value, stamp, *who in entries
            ]
        return result

    def remember(self, values: dict[str, str], now_ms: int, source: Source) -> None:
        """Record the changes ``values`` makes, before they are applied."""
        for name, value in values.items():
            old = self.properties.get(name)
            if old == value:
                continue
            entries = self.history.get(name)
            if entries is None:
                entries = self.history[name] = (
                    [] if old is None else [[old, self.created_ms, *self.created_by]]
                )
            entries.insert(0, [value, now_ms, *source.to_list()])

    def to_json(self, names: list[str] | None) -> dict[str, Any]:
        """The v3 representation with ``names`` (all stored properties when None)."""
        if names is None:
            props: dict[str, str | None] = dict(self.properties)
        else:
            props = {name: self.properties.get(name) for name in names}
        body: dict[str, Any] = {
            "id": str(self.id),
            "properties": props,
            "createdAt": iso(from_millis(self.created_ms)),
            "updatedAt": iso(from_millis(self.updated_ms)),
            "archived": self.archived,
        }
        if self.archived_ms is not None:
            body["archivedAt"] = iso(from_millis(self.archived_ms))
        return body


@dataclass
class ObjectKind:
    """What differs between contacts, engagements and custom objects."""

    type_id: str  # 0-1 contacts, 0-27 tasks, 0-46 notes, 2-NNN custom objects
    label: str  # CONTACT, TASK, or the custom object's name upper-cased (error messages)
    created_prop: str
    modified_props: tuple[str, ...]
    default_props: tuple[str, ...]
    first_id: int = 1001
    names: tuple[str, ...] = field(default_factory=tuple)  # aliases usable in URLs
    #: properties a create must set (custom objects' requiredProperties, hs_timestamp ...)
    required: tuple[str, ...] = ()
    #: updates drop read-only and unknown properties instead of refusing them (the tasks guide:
    #: "HubSpot will ignore values for read-only and non-existent properties")
    lenient_update: bool = False

    @classmethod
    def from_state(cls, raw: dict[str, Any]) -> ObjectKind:
        """A kind rebuilt from ``dataclasses.asdict`` output."""
        tuples = ("modified_props", "default_props", "names", "required")
        fields: dict[str, Any] = {k: tuple(v) if k in tuples else v for k, v in raw.items()}
        return cls(**fields)
