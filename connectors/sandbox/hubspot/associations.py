"""Associations between records: tasks and notes to contacts, in both directions.

HubSpot-defined association type ids (v4, https://developers.hubspot.com/docs/api-reference/
crm-associations-v4/guide, and the tasks guide's example: task to contact is 204): contact to
note 201, note to contact 202, contact to task 203, task to contact 204. A create body may carry
``associations: [{"to": {"id"}, "types": [{"associationCategory": "HUBSPOT_DEFINED",
"associationTypeId"}]}]``
(https://developers.hubspot.com/docs/api-reference/legacy/crm/activities/tasks/guide); the type
id decides which object type ``to.id`` belongs to. Each link is kept in both directions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from connectors.sandbox.hubspot.store import ObjectStore

#: associationTypeId -> (from objectTypeId, to objectTypeId, name)
TYPES: dict[int, tuple[str, str, str]] = {
    201: ("0-1", "0-46", "contact_to_note"),
    202: ("0-46", "0-1", "note_to_contact"),
    203: ("0-1", "0-27", "contact_to_task"),
    204: ("0-27", "0-1", "task_to_contact"),
}
REVERSE = {201: 202, 202: 201, 203: 204, 204: 203}
Key = tuple[str, int]  # (objectTypeId, record id)


class AssociationError(ValueError):
    """An ``associations`` entry HubSpot would refuse (the message says why)."""


class Associations:
    """Every link, indexed from each end: (type id, record id) -> {(to type, to id): type id}."""

    def __init__(self) -> None:
        self.links: dict[Key, dict[Key, int]] = {}

    def link(self, source: Key, target: Key, type_id: int) -> None:
        """Associate ``source`` with ``target`` (and ``target`` back with ``source``)."""
        self.links.setdefault(source, {})[target] = type_id
        self.links.setdefault(target, {})[source] = REVERSE[type_id]

    def ids_of(self, source: Key, to_type: str) -> list[int]:
        """Ids of the ``to_type`` records associated with ``source``, ascending."""
        return sorted(i for (t, i) in self.links.get(source, {}) if t == to_type)

    def json_of(self, source: Key, to_type: str) -> dict[str, Any]:
        """The ``associations.<plural>`` entry of a GET-by-id answer."""
        found = self.links.get(source, {})
        return {
            "results": [
                {"id": str(i), "type": TYPES[found[(to_type, i)]][2]}
                for i in self.ids_of(source, to_type)
            ]
        }

    def to_state(self) -> list[list[Any]]:
        """JSON-ready state: one [from type, from id, to type, to id, type id] per direction."""
        return [
            [s[0], s[1], t[0], t[1], k] for s, found in self.links.items() for t, k in found.items()
        ]

    @classmethod
    def from_state(cls, rows: list[list[Any]]) -> Associations:
        """The inverse of :meth:`to_state`."""
        links = cls()
        for source_type, source_id, target_type, target_id, type_id in rows:
            links.links.setdefault((source_type, source_id), {})[(target_type, target_id)] = type_id
        return links


def parse(
    raw: Any, store: ObjectStore, find: Callable[[str], ObjectStore | None]
) -> list[tuple[Key, int]]:
    """The (target, type id) pairs of a create body's ``associations`` (validated)."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise AssociationError("associations must be a list")
    pairs = []
    for entry in raw:
        target_id = str(((entry or {}).get("to") or {}).get("id") or "")
        for spec in (entry or {}).get("types") or []:
            pairs.append(_pair(spec, target_id, store, find))
    return pairs


def _pair(
    spec: Any, target_id: str, store: ObjectStore, find: Callable[[str], ObjectStore | None]
) -> tuple[Key, int]:
    type_id = spec.get("associationTypeId") if isinstance(spec, dict) else None
    category = spec.get("associationCategory") if isinstance(spec, dict) else None
    known = TYPES.get(type_id) if isinstance(type_id, int) else None
    if (
        not isinstance(type_id, int)
        or known is None
        or known[0] != store.kind.type_id
        or category != "HUBSPOT_DEFINED"
    ):
        raise AssociationError(
            f"associationTypeId {type_id!r} ({category}) is not a valid association type "
            f"from {store.kind.label}"
        )
    target_store = find(known[1])
    target = target_store.get(target_id) if target_store is not None else None
    if target is None:
        raise AssociationError(f"No {known[1]} record with id {target_id!r} to associate")
    return (known[1], target.id), type_id
