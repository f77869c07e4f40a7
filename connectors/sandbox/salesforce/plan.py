"""A compiled query: the rows it matches, in ORDER BY order, projected as the REST API does."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from connectors.sandbox.salesforce.fields import PREFIXES, Child, Entity, Field
from connectors.sandbox.salesforce.soql import Order

Row = Mapping[str, Any]
T = TypeVar("T")
Predicate = Callable[[Row], bool]
#: subquery rows: relationship name -> parent's 15-character id -> child rows
Grouped = dict[str, dict[str, list[Row]]]
#: subquery answers: relationship name -> parent's 15-character id -> nested query result
Nested = Mapping[str, Mapping[str, dict[str, Any] | None]]


@dataclass
class Plan:
    """A query checked against its entity, ready to run over rows of that entity."""

    entity: Entity
    fields: list[Field]
    count: bool
    predicate: Predicate
    orders: list[tuple[Field, Order]]
    limit: int | None
    #: the 15-character ids WHERE restricts the rows to (``Id IN (...)``, ``Id = ...``, ANDed
    #: with anything); None when it does not, and every row is a candidate
    ids: frozenset[str] | None = None
    #: selected parent names (``Owner.Name``) -> the reference field they go through
    parents: Mapping[str, Field] = dataclasses.field(default_factory=dict)
    users: Mapping[str, str] = dataclasses.field(default_factory=dict)  # user/queue id -> name
    #: parent-to-child subqueries: each one's relationship and the plan over the child rows
    children: list[tuple[Child, Plan]] = dataclasses.field(default_factory=list)

    def run(self, rows: Iterable[Row]) -> list[Row]:
        """The matching rows, ordered and limited (the full stored rows)."""
        return self.arrange([row for row in rows if self.predicate(row)], _get)

    def arrange(self, matched: list[T], value: Callable[[T, str], Any]) -> list[T]:
        """``matched`` in ORDER BY order and cut to LIMIT; ``value(item, field name)`` reads
        a field of an item (rows, or the value tuples a Bulk job keeps)."""
        for field, order in reversed(self.orders):
            matched = _sorted(matched, field, order, value)
        return matched if self.limit is None else matched[: self.limit]

    def needed(self) -> list[str]:
        """The names of the fields that selecting and ordering read, selected ones first."""
        names = [f.name for f in self.fields]
        return names + [f.name for f, _ in self.orders if f.name not in names]

    def value(self, row: Row, name: str) -> Any:
        """The value of field ``name`` (or parent name ``Owner.Name``) for ``row``."""
        parent = self.parents.get(name)
        if parent is None:
            return row.get(name)
        parent_id = row.get(parent.name)
        return None if parent_id is None else self.users.get(parent_id)

    def project(self, row: Row, version: str, nested: Nested | None = None) -> dict[str, Any]:
        """``row`` as the REST API returns it: ``attributes``, the selected fields, then each
        subquery's answer (``nested``: :meth:`nest`'s result, paged by the caller)."""
        url = f"/services/data/v{version}/sobjects/{self.entity.name}/{row['Id']}"
        record: dict[str, Any] = {"attributes": {"type": self.entity.name, "url": url}}
        for selected in self.fields:
            parent = self.parents.get(selected.name)
            if parent is None:
                record[selected.name] = row.get(selected.name)
            else:
                record[str(parent.relationship)] = self._parent(row, parent, version)
        for child, _ in self.children:
            record[child.name] = (nested or {}).get(child.name, {}).get(row["Id"][:15])
        return record

    def nest(self, parents: Iterable[Row], rows: Mapping[str, Iterable[Row]]) -> Grouped:
        """Each subquery's matching child rows (``rows``: candidates by child sObject name),
        grouped by the parent's 15-character id, each group in ORDER BY order and cut to the
        subquery's LIMIT: WHERE, ORDER BY and LIMIT apply per parent."""
        ids = {row["Id"][:15] for row in parents}
        grouped: Grouped = {}
        for child, plan in self.children:
            groups: dict[str, list[Row]] = {}
            for row in rows[child.sobject]:
                parent = row.get(child.field)
                if parent is not None and parent[:15] in ids:
                    groups.setdefault(parent[:15], []).append(row)
            grouped[child.name] = {key: plan.run(found) for key, found in groups.items()}
        return grouped

    def _parent(self, row: Row, parent: Field, version: str) -> dict[str, Any] | None:
        """A parent record as REST nests it; a polymorphic parent is of type ``Name``
        (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_name.htm)."""
        parent_id = row.get(parent.name)
        if parent_id is None:
            return None
        kind = next(k for k, prefix in PREFIXES.items() if parent_id.startswith(prefix))
        shown = "Name" if len(parent.reference_to) > 1 else kind
        url = f"/services/data/v{version}/sobjects/{kind}/{parent_id}"
        return {"attributes": {"type": shown, "url": url}, "Name": self.users.get(parent_id)}


def _get(row: Row, name: str) -> Any:
    return row.get(name)


def _sorted(rows: list[T], field: Field, order: Order, value: Callable[[T, str], Any]) -> list[T]:
    key, name = key_of(field), field.name
    nulls = [row for row in rows if value(row, name) is None]
    present = [row for row in rows if value(row, name) is not None]
    present.sort(key=lambda row: key(value(row, name)), reverse=order.descending)
    return nulls + present if order.nulls_first else present + nulls


def key_of(field: Field) -> Callable[[Any], Any]:
    if field.type in ("id", "reference"):
        return lambda value: value[:15]
    if field.textual:
        return lambda value: value.casefold()
    return lambda value: value
