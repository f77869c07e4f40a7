"""Records of one object type (contacts, engagements, a custom object), indexed for search.

Ids are increasing integers (HubSpot ids are numeric strings). Three indexes are kept up to
date on every write: ``ids`` (sorted, for list paging), ``by_modified`` (sorted
``(modified millis, id)`` of live records, for search windows on the last-modified property)
and one case-insensitive value -> id map per unique property (``email``, ``hasUniqueValue``).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from dataclasses import asdict
from typing import Any

from connectors.sandbox.hubspot.properties import PropertyRegistry
from connectors.sandbox.hubspot.records import API, ObjectKind, Record, Source
from connectors.sandbox.hubspot.values import from_millis, iso

__all__ = ["ObjectKind", "ObjectStore", "Record", "Source"]


def _fold(value: str) -> str:
    return value.strip().casefold()


class ObjectStore:
    """All records of one object type plus its property registry."""

    def __init__(self, kind: ObjectKind, registry: PropertyRegistry) -> None:
        self.kind = kind
        self.registry = registry
        self.records: dict[int, Record] = {}
        self.ids: list[int] = []
        self.by_modified: list[tuple[int, int]] = []
        self.unique: dict[str, dict[str, int]] = {}
        self.merged_into: dict[int, int] = {}
        self.next_id = kind.first_id
        self.version = 0  # bumped on every change; search caches key on it
        self.enable_unique()

    @property
    def modified_prop(self) -> str:
        """The last-modified property search windows use."""
        return self.kind.modified_props[0]

    # -- reads ---------------------------------------------------------------------------
    def get(self, record_id: str | int, *, archived: bool = False) -> Record | None:
        """The record with this id (following merges); archived ones only when asked."""
        try:
            key = int(record_id)
        except (TypeError, ValueError):
            return None
        key = self.merged_into.get(key, key)
        record = self.records.get(key)
        if record is None or record.archived != archived:
            return None
        return record

    def find(self, value: str, id_property: str | None, *, archived: bool = False) -> Record | None:
        """A record by id, or by the value of a unique property when ``id_property`` is set."""
        if not id_property or id_property == "hs_object_id":
            return self.get(value, archived=archived)
        record_id = self.unique.get(id_property, {}).get(_fold(str(value)))
        return self.get(record_id, archived=archived) if record_id is not None else None

    def is_unique(self, name: str) -> bool:
        """Whether ``name`` is a unique (idProperty-capable) property."""
        return name in self.unique

    def page(self, after: int, limit: int, archived: bool) -> tuple[list[Record], int | None]:
        """Records with id >= after, in id order; the next ``after`` or None at the end."""
        found: list[Record] = []
        position = bisect.bisect_left(self.ids, after)
        while position < len(self.ids):
            record = self.records[self.ids[position]]
            position += 1
            if record.archived != archived:
                continue
            if len(found) == limit:
                return found, record.id
            found.append(record)
        return found, None

    def live(self) -> Iterator[Record]:
        """Records that are not archived."""
        return (r for r in self.records.values() if not r.archived)

    # -- writes --------------------------------------------------------------------------
    def insert(
        self,
        values: dict[str, str],
        now_ms: int,
        *,
        created_ms: int | None = None,
        source: Source = API,
    ) -> Record:
        """Create a record from already-checked values (system fields are set here)."""
        record_id = self.next_id
        self.next_id += 1
        created = now_ms if created_ms is None else created_ms
        record = Record(record_id, {}, created, now_ms, created_by=source.to_list())
        self.records[record_id] = record
        self.ids.append(record_id)
        record.properties["hs_object_id"] = str(record_id)
        record.properties.setdefault(self.kind.created_prop, iso(from_millis(created)))
        self._apply(record, values)
        self._stamp(record, now_ms)
        bisect.insort(self.by_modified, (record.updated_ms, record_id))
        self.version += 1
        return record

    def write(
        self, record: Record, values: dict[str, str], now_ms: int, source: Source = API
    ) -> None:
        """Apply checked values and bump the last-modified properties (every write does).

        ``source`` goes into the property history: the app for API writes, a user for people.
        """
        self._unindex_modified(record)
        record.remember(values, now_ms, source)
        self._apply(record, values)
        self._stamp(record, now_ms)
        bisect.insort(self.by_modified, (record.updated_ms, record.id))
        self.version += 1

    def restamp(self, record: Record, stamp_ms: int) -> None:
        """Give a live record one created and modified millisecond (seeded imports)."""
        self._unindex_modified(record)
        record.created_ms = stamp_ms
        record.properties[self.kind.created_prop] = iso(from_millis(stamp_ms))
        self._stamp(record, stamp_ms)
        bisect.insort(self.by_modified, (stamp_ms, record.id))
        self.version += 1

    def archive(self, record: Record, now_ms: int) -> None:
        """Soft-delete: the record only shows with ``archived=true`` afterwards."""
        self._unindex_modified(record)
        for name, index in self.unique.items():
            if index.get(_fold(record.properties.get(name) or "")) == record.id:
                del index[_fold(record.properties[name])]
        record.archived, record.archived_ms, record.updated_ms = True, now_ms, now_ms
        self.version += 1

    def unique_owner(self, name: str, value: str) -> int | None:
        """The id of the live record holding ``value`` in unique property ``name``."""
        return self.unique.get(name, {}).get(_fold(value)) if value.strip() else None

    def _apply(self, record: Record, values: dict[str, str]) -> None:
        for name, value in values.items():
            if name in self.unique:
                old = record.properties.get(name)
                if old and self.unique[name].get(_fold(old)) == record.id:
                    del self.unique[name][_fold(old)]
                if value.strip():
                    self.unique[name].setdefault(_fold(value), record.id)
            record.properties[name] = value

    def _stamp(self, record: Record, now_ms: int) -> None:
        record.updated_ms = now_ms
        stamp = iso(from_millis(now_ms))
        for name in self.kind.modified_props:
            record.properties[name] = stamp

    def _unindex_modified(self, record: Record) -> None:
        position = bisect.bisect_left(self.by_modified, (record.updated_ms, record.id))
        if position < len(self.by_modified) and self.by_modified[position] == (
            record.updated_ms,
            record.id,
        ):
            del self.by_modified[position]

    def enable_unique(self) -> None:
        """(Re)build the unique-value maps from the registry's unique properties."""
        self.unique = {name: {} for name in self.registry.unique_names()}
        for record in self.live():
            for name, index in self.unique.items():
                value = record.properties.get(name) or ""
                if value.strip():
                    index.setdefault(_fold(value), record.id)

    # -- state ---------------------------------------------------------------------------
    def to_state(self) -> dict[str, Any]:
        """JSON-ready state (for :meth:`HubSpotEmulator.save`)."""
        return {
            "kind": asdict(self.kind),
            "registry": self.registry.to_state(),
            "records": [asdict(r) for r in self.records.values()],
            "merged_into": {str(k): v for k, v in self.merged_into.items()},
            "next_id": self.next_id,
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> ObjectStore:
        """A store rebuilt from :meth:`to_state` output."""
        store = cls(
            ObjectKind.from_state(state["kind"]),
            PropertyRegistry.from_state(state["registry"]),
        )
        for raw in state["records"]:
            record = Record(**raw)
            store.records[record.id] = record
            if not record.archived:
                store.by_modified.append((record.updated_ms, record.id))
        store.ids = sorted(store.records)
        store.by_modified.sort()
        store.merged_into = {int(k): v for k, v in state["merged_into"].items()}
        store.next_id = state["next_id"]
        store.enable_unique()
        return store
