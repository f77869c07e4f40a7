"""A SOQL subset: a tokenizer and a recursive-descent parser producing a small syntax tree.

Grammar (keywords case-insensitive)::

    query     := SELECT (COUNT '(' ')' | item (',' item)*) FROM name clauses
    item      := name | '(' SELECT name (',' name)* FROM name clauses ')'  -- parent-to-child
    clauses   := [WHERE or] [ORDER BY order (',' order)*] [LIMIT integer]
    or        := and (OR and)*          -- AND and OR may not be mixed without parentheses
    and       := unary (AND unary)*
    unary     := NOT unary | '(' or ')' | name op value | name [NOT] IN '(' value (',' value)* ')'
                 | name LIKE string
    order     := name [ASC | DESC] [NULLS (FIRST | LAST)]
    value     := string | number | datetime | date | TRUE | FALSE | NULL

A subquery in the SELECT list names a child relationship of the outer object (``SELECT Id,
(SELECT Id FROM Tasks WHERE IsClosed = false) FROM Lead``), one level deep; the compiler checks
the name (https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_relationships_query_using.htm).
Anything else (GROUP BY, OFFSET, date literals such as TODAY, subqueries in WHERE or in a
subquery, functions) is refused with ``MALFORMED_QUERY`` rather than answered wrongly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from connectors.sandbox.salesforce.tokens import SoqlError, Token, malformed, tokenize

__all__ = ["Query", "SoqlError", "malformed", "parse"]


@dataclass(frozen=True)
class Literal:
    kind: str  # string, number, datetime, date, boolean, null
    value: Any
    pos: int


@dataclass(frozen=True)
class FieldRef:
    name: str
    pos: int


@dataclass(frozen=True)
class Compare:
    field: FieldRef
    op: str
    value: Literal


@dataclass(frozen=True)
class InList:
    field: FieldRef
    values: tuple[Literal, ...]
    negated: bool


@dataclass(frozen=True)
class Like:
    field: FieldRef
    pattern: Literal


@dataclass(frozen=True)
class BoolOp:
    op: str  # AND, OR, NOT
    items: tuple[Node, ...]


Node = Compare | InList | Like | BoolOp


@dataclass(frozen=True)
class Order:
    field: FieldRef
    descending: bool
    nulls_first: bool


@dataclass
class Query:
    source: str
    entity: FieldRef
    fields: list[FieldRef] = field(default_factory=list)
    count: bool = False
    where: Node | None = None
    order: list[Order] = field(default_factory=list)
    limit: int | None = None
    #: parent-to-child subqueries in the SELECT list (``entity`` names the relationship)
    children: list[Query] = field(default_factory=list)


def parse(source: str) -> Query:
    """Parse ``source`` or raise :class:`SoqlError` (``MALFORMED_QUERY``)."""
    return _Parser(source).query()


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.tokens = tokenize(source)
        self.index = 0

    @property
    def peek(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def fail(self, token: Token) -> SoqlError:
        return malformed(self.source, token.pos, f"unexpected token: '{token.text}'")

    def accept(self, *keywords: str) -> Token | None:
        if self.peek.kind == "keyword" and self.peek.text in keywords:
            return self.advance()
        return None

    def expect(self, keyword: str) -> Token:
        token = self.accept(keyword)
        if token is None:
            raise self.fail(self.peek)
        return token

    def expect_punct(self, text: str) -> None:
        if self.peek.kind != "punct" or self.peek.text != text:
            raise self.fail(self.peek)
        self.advance()

    def name(self) -> FieldRef:
        token = self.advance()
        if token.kind != "name":
            raise self.fail(token)
        return FieldRef(token.text, token.pos)

    def query(self) -> Query:
        self.expect("SELECT")
        query = Query(self.source, FieldRef("", 0))
        if self.accept("COUNT"):
            self.expect_punct("(")
            self.expect_punct(")")
            query.count = True
        else:
            query.fields, query.children = self.select_list(nested=False)
        self.expect("FROM")
        query.entity = self.name()
        self.clauses(query)
        if self.peek.kind != "eof":
            raise self.fail(self.peek)
        return query

    def subquery(self) -> Query:
        """``(SELECT ... FROM <relationship> ...)`` in an outer SELECT list."""
        self.expect_punct("(")
        self.expect("SELECT")
        query = Query(self.source, FieldRef("", 0))
        query.fields, _ = self.select_list(nested=True)
        self.expect("FROM")
        query.entity = self.name()
        self.clauses(query)
        self.expect_punct(")")
        return query

    def clauses(self, query: Query) -> None:
        if self.accept("WHERE"):
            query.where = self.disjunction()
        if self.accept("ORDER"):
            self.expect("BY")
            query.order = self.order_list()
        if self.accept("LIMIT"):
            query.limit = self.integer()

    def select_list(self, nested: bool) -> tuple[list[FieldRef], list[Query]]:
        fields: list[FieldRef] = []
        children: list[Query] = []
        while True:
            if not nested and self.peek.kind == "punct" and self.peek.text == "(":
                children.append(self.subquery())  # one level: none inside a subquery
            else:
                fields.append(self.name())
            if self.peek.text != ",":
                break
            self.advance()
        seen: set[str] = set()
        for ref in fields:
            if ref.name.lower() in seen:
                raise malformed(self.source, ref.pos, f"duplicate field selected: {ref.name}")
            seen.add(ref.name.lower())
        return fields, children

    def order_list(self) -> list[Order]:
        orders = [self.order()]
        while self.peek.text == ",":
            self.advance()
            orders.append(self.order())
        return orders

    def order(self) -> Order:
        ref = self.name()
        descending = bool(self.accept("ASC", "DESC") and self.tokens[self.index - 1].text == "DESC")
        nulls_first = not descending  # Salesforce's default: nulls sort as the smallest value
        if self.accept("NULLS"):
            nulls_first = self.expect_either("FIRST", "LAST") == "FIRST"
        return Order(ref, descending, nulls_first)

    def expect_either(self, *keywords: str) -> str:
        token = self.accept(*keywords)
        if token is None:
            raise self.fail(self.peek)
        return token.text

    def integer(self) -> int:
        token = self.advance()
        if token.kind != "number" or not token.text.isdigit():
            raise self.fail(token)
        return int(token.text)

    def disjunction(self) -> Node:
        return self.chain(self.conjunction(), "OR", "AND")

    def conjunction(self) -> Node:
        return self.chain(self.unary(), "AND", "OR")

    def chain(self, first: Node, op: str, other: str) -> Node:
        items = [first]
        while self.accept(op):
            items.append(self.unary())
        if self.peek.kind == "keyword" and self.peek.text == other and len(items) > 1:
            raise self.fail(self.peek)  # SOQL needs parentheses to mix AND and OR
        return items[0] if len(items) == 1 else BoolOp(op, tuple(items))

    def unary(self) -> Node:
        if self.accept("NOT"):
            return BoolOp("NOT", (self.unary(),))
        if self.peek.text == "(" and self.peek.kind == "punct":
            self.advance()
            inner = self.disjunction()
            self.expect_punct(")")
            return inner
        return self.condition()

    def condition(self) -> Node:
        ref = self.name()
        token = self.advance()
        if token.kind == "op":
            return Compare(ref, "!=" if token.text == "<>" else token.text, self.value())
        if token.kind == "keyword" and token.text == "LIKE":
            return Like(ref, self.value())
        negated = token.kind == "keyword" and token.text == "NOT"
        if negated:
            token = self.advance()
        if token.kind != "keyword" or token.text != "IN":
            raise self.fail(token)
        return InList(ref, self.value_list(), negated)

    def value_list(self) -> tuple[Literal, ...]:
        self.expect_punct("(")
        values = [self.value()]
        while self.peek.text == "," and self.peek.kind == "punct":
            self.advance()
            values.append(self.value())
        self.expect_punct(")")
        return tuple(values)

    def value(self) -> Literal:
        token = self.advance()
        if token.kind == "string":
            return Literal("string", token.value, token.pos)
        if token.kind in ("datetime", "date"):
            return Literal(token.kind, token.text, token.pos)
        if token.kind == "number":
            return Literal("number", float(token.text), token.pos)
        if token.kind == "keyword" and token.text in ("TRUE", "FALSE"):
            return Literal("boolean", token.text == "TRUE", token.pos)
        if token.kind == "keyword" and token.text == "NULL":
            return Literal("null", None, token.pos)
        raise self.fail(token)
