"""SQL helpers every store module shares: IN-list chunking and dialect-aware inserts."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import literal_column
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnClause
from sqlalchemy.sql.functions import FunctionElement

T = TypeVar("T")

#: rows per SELECT ... IN (...): well under SQLite's 32,766 bound-parameter limit
CHUNK = 900
#: constants written into the SQL, not bound: a database matches repeated expressions (the
#: same sum in SELECT and in a ratio, GROUP BY and SELECT) by their text, and two bound
#: parameters are two texts, so each copy would be computed again for every row
ONE: ColumnClause[int] = literal_column("1")
ZERO: ColumnClause[int] = literal_column("0")


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    """``items`` in consecutive slices of at most ``size``."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def dialect_insert(session: Session, model: Any) -> postgresql.Insert | sqlite.Insert:
    """An INSERT for ``model`` that supports ``ON CONFLICT`` on the session's database."""
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert(model)
    if name == "sqlite":
        return sqlite.insert(model)
    raise NotImplementedError(f"leadloop's store supports SQLite and PostgreSQL, not {name}")


class scanned(FunctionElement[Any]):  # a SQL expression, named like a function
    """``scanned(column)``: the column, in a condition SQLite must not answer from an index:
    rendered ``+column`` there (its documented way to keep a term off the indexes:
    https://www.sqlite.org/optoverview.html#disqualifying_where_clause_terms_using_unary_),
    plain elsewhere. For a condition most rows meet, a scan of the table in row order beats
    looking each row up from the index (a million leads, half of them counted: 0.25 s)."""

    inherit_cache = True

    def __init__(self, column: Any) -> None:
        super().__init__(column)
        self.type = column.type


@compiles(scanned)
def _scanned(element: scanned, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(next(iter(element.clauses)), **kw))


@compiles(scanned, "sqlite")
def _scanned_sqlite(element: scanned, compiler: Any, **kw: Any) -> str:
    return "+" + str(compiler.process(next(iter(element.clauses)), **kw))
