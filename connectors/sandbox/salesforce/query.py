"""Run a parsed SOQL query over stored rows: typed filters, ordering, limit and projection.

Literals are checked against the field type the way Salesforce checks them (a quoted value
for a datetime field is an ``INVALID_FIELD`` error, not an empty result). Text comparisons are
case-insensitive, ids compare on their 15-character form, and ``!=``/``NOT IN`` match nulls,
as in SOQL. With whole-second stamps, datetime literals compare to the second (Salesforce
ignores milliseconds: https://salesforce.stackexchange.com/questions/234824). A parent's
``Name`` (``Owner.Name``) can be selected, not filtered or sorted on. A subquery walks a child
relationship of the outer object (``Tasks`` of a Lead) with its own WHERE, ORDER BY and LIMIT;
an unknown relationship is ``INVALID_TYPE``, as Salesforce answers it.
https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_relationships_understanding.htm
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any

from connectors.sandbox.salesforce.fields import Child, Entity, Field
from connectors.sandbox.salesforce.plan import Plan, Predicate, Row, key_of
from connectors.sandbox.salesforce.soql import (
    BoolOp,
    Compare,
    FieldRef,
    InList,
    Like,
    Literal,
    Node,
    Query,
    SoqlError,
    malformed,
)
from connectors.sandbox.salesforce.values import parse_iso, whole_second, wire

_LITERAL_KIND = {
    "datetime": "datetime",
    "date": "date",
    "double": "number",
    "int": "number",
    "boolean": "boolean",
}
_TYPE_NAMES = {
    "datetime": "dateTime",
    "date": "date",
    "number": "double",
    "boolean": "boolean",
    "string": "string",
}
_ORDERING = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def compile_query(
    query: Query,
    entities: Mapping[str, Entity],
    users: Mapping[str, str] | None = None,
    whole_seconds: bool = True,
) -> Plan:
    """Resolve names and literals of ``query``; raise :class:`SoqlError` like Salesforce.

    ``users`` names the org's users and queues (for ``Owner.Name``); ``whole_seconds`` cuts
    datetime literals to the second."""
    entity = entities.get(query.entity.name.lower())
    if entity is None:
        raise malformed(
            query.source,
            query.entity.pos,
            f"sObject type '{query.entity.name}' is not supported. If you are "
            "attempting to use a custom object, be sure to append the '__c' after "
            "the entity name. Please reference your WSDL or the describe call for "
            "the appropriate names.",
            "INVALID_TYPE",
        )
    compiler = _Compiler(query, entity, whole_seconds)
    return Plan(
        entity=entity,
        fields=[compiler.selected(ref) for ref in query.fields],
        count=query.count,
        predicate=compiler.node(query.where) if query.where else (lambda row: True),
        orders=[(compiler.field(order.field), order) for order in query.order],
        limit=query.limit,
        ids=compiler.ids(query.where) if query.where else None,
        parents=compiler.parents,
        users=users or {},
        children=_children(query, entity, entities, users, whole_seconds),
    )


def _children(
    query: Query,
    entity: Entity,
    entities: Mapping[str, Entity],
    users: Mapping[str, str] | None,
    whole_seconds: bool,
) -> list[tuple[Child, Plan]]:
    """Each subquery's child relationship and its plan over the child object's rows."""
    compiled: list[tuple[Child, Plan]] = []
    for sub in query.children:
        child = entity.children.get(sub.entity.name.lower())
        if child is None:
            raise malformed(
                query.source,
                sub.entity.pos,
                f"Didn't understand relationship '{sub.entity.name}' in FROM part of query "
                "call. If you are attempting to use a custom relationship, be sure to append "
                "the '__r' after the custom relationship name. Please reference your WSDL or "
                "the describe call for the appropriate names.",
                "INVALID_TYPE",
            )
        if any(done is child for done, _ in compiled):
            raise malformed(
                query.source,
                sub.entity.pos,
                f"Cannot follow the same aggregate relationship twice: {child.name}",
            )
        named = dataclasses.replace(sub, entity=dataclasses.replace(sub.entity, name=child.sobject))
        compiled.append((child, compile_query(named, entities, users, whole_seconds)))
    return compiled


class _Compiler:
    def __init__(self, query: Query, entity: Entity, whole_seconds: bool) -> None:
        self.query = query
        self.entity = entity
        self.whole_seconds = whole_seconds
        self.parents: dict[str, Field] = {}

    def selected(self, ref: FieldRef) -> Field:
        """A selected field: one of the entity's, or a parent's ``Name`` (``Owner.Name``)."""
        relation, dot, leaf = ref.name.partition(".")
        parent = self.entity.relation(relation) if dot else None
        if parent is None:
            return self.field(ref)
        if leaf.lower() != "name" or "." in leaf:
            kind = "Name" if len(parent.reference_to) > 1 else parent.reference_to[0]
            raise self.error(ref.pos, f"No such column '{leaf}' on entity '{kind}'.")
        name = f"{parent.relationship}.Name"
        self.parents[name] = parent
        return Field(name, "string", "Name", 255, updateable=False)

    def error(self, pos: int, message: str, code: str = "INVALID_FIELD") -> SoqlError:
        return malformed(self.query.source, pos, message, code)

    def field(self, ref: FieldRef) -> Field:
        field = self.entity.field(ref.name)
        if field is not None:
            return field
        relation = ref.name.split(".")[0]
        if "." in ref.name and self.entity.relation(relation) is not None:
            raise self.error(
                ref.pos,
                f"this emulator selects '{ref.name}' but cannot filter or sort on it",
                "MALFORMED_QUERY",
            )
        if "." in ref.name:
            raise self.error(
                ref.pos,
                f"Didn't understand relationship '{relation}'"
                " in field path. If you are attempting to use a custom "
                "relationship, be sure to append the '__r' after the custom "
                "relationship name.",
            )
        raise self.error(
            ref.pos,
            f"No such column '{ref.name}' on entity '{self.entity.name}'. "
            "If you are attempting to use a custom field, be sure to append the "
            "'__c' after the custom field name. Please reference your WSDL or the "
            "describe call for the appropriate names.",
        )

    def filterable(self, ref: FieldRef) -> Field:
        field = self.field(ref)
        if field.long_text:
            raise self.error(ref.pos, f"field '{field.name}' can not be filtered in a query call")
        return field

    def node(self, node: Node) -> Predicate:
        if isinstance(node, BoolOp):
            parts = [self.node(item) for item in node.items]
            if node.op == "NOT":
                return lambda row: not parts[0](row)
            if node.op == "AND":
                return lambda row: all(part(row) for part in parts)
            return lambda row: any(part(row) for part in parts)
        if isinstance(node, Compare):
            return self.compare(node)
        if isinstance(node, InList):
            return self.in_list(node)
        return self.like(node)

    def ids(self, node: Node) -> frozenset[str] | None:
        """The ids ``node`` limits the rows to, if it does (see :attr:`Plan.ids`); called
        after :meth:`node` has checked the clause."""
        if isinstance(node, BoolOp):
            if node.op == "NOT":
                return None
            parts = [self.ids(item) for item in node.items]
            if node.op == "AND":
                known = [part for part in parts if part is not None]
                return frozenset.intersection(*known) if known else None
            unions = [part for part in parts if part is not None]  # OR: every branch limits
            return frozenset().union(*unions) if len(unions) == len(parts) else None
        if isinstance(node, Compare) and node.op == "=":
            literals: tuple[Literal, ...] = (node.value,)
        elif isinstance(node, InList) and not node.negated:
            literals = node.values
        else:
            return None
        field = self.entity.field(node.field.name)
        if field is None or field.name != "Id" or any(v.kind != "string" for v in literals):
            return None
        return frozenset(key_of(field)(literal.value) for literal in literals)

    def value(self, field: Field, literal: Literal) -> Any:
        """The literal in the stored form of ``field``'s values (None for null)."""
        if literal.kind == "null":
            return None
        expected = _LITERAL_KIND.get(field.type, "string")
        if literal.kind != expected:
            quoted = "" if expected == "string" else " and should not be enclosed in quotes"
            raise self.error(
                literal.pos,
                f"value of filter criterion for field '{field.name}' "
                f"must be of type {_TYPE_NAMES[expected]}{quoted}",
            )
        if expected == "datetime":
            stored = wire(parse_iso(literal.value))
            return whole_second(stored) if self.whole_seconds else stored
        if expected == "string":
            return key_of(field)(literal.value)
        return literal.value

    def compare(self, node: Compare) -> Predicate:
        field = self.filterable(node.field)
        name, key, op = field.name, key_of(field), node.op
        target = self.value(field, node.value)
        if target is None or field.type == "boolean":
            if op not in ("=", "!="):
                raise self.error(
                    node.value.pos, f"invalid operator on {field.type} value", "MALFORMED_QUERY"
                )
            if target is None:
                return (
                    (lambda row: row.get(name) is None)
                    if op == "="
                    else (lambda row: row.get(name) is not None)
                )
        if op == "=":
            return lambda row: row.get(name) is not None and key(row[name]) == target
        if op == "!=":
            return lambda row: row.get(name) is None or key(row[name]) != target
        check = _ORDERING[op]
        return lambda row: row.get(name) is not None and check(key(row[name]), target)

    def in_list(self, node: InList) -> Predicate:
        field = self.filterable(node.field)
        name, key = field.name, key_of(field)
        targets = {self.value(field, literal) for literal in node.values}
        with_null = None in targets

        def member(row: Row) -> bool:
            value = row.get(name)
            return with_null if value is None else key(value) in targets

        return (lambda row: not member(row)) if node.negated else member

    def like(self, node: Like) -> Predicate:
        field = self.filterable(node.field)
        if not field.textual or node.pattern.kind != "string":
            raise self.error(
                node.pattern.pos, f"invalid operator on field '{field.name}'", "MALFORMED_QUERY"
            )
        pattern = re.compile(_like_regex(node.pattern.value), re.IGNORECASE | re.DOTALL)
        name = field.name
        return lambda row: row.get(name) is not None and bool(pattern.fullmatch(row[name]))


def _like_regex(pattern: str) -> str:
    parts, index = [], 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern) and pattern[index + 1] in "%_":
            parts.append(re.escape(pattern[index + 1]))
            index += 2
            continue
        parts.append(".*" if char == "%" else "." if char == "_" else re.escape(char))
        index += 1
    return "".join(parts)
