"""SQL helpers every store module shares: IN-list chunking, dialect-aware inserts, and the
bulk path (:func:`execute_many`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy import Dialect, literal_column
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Insert, UpdateBase
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


def dialect_insert(session: Session | str, model: Any) -> postgresql.Insert | sqlite.Insert:
    """An INSERT for ``model`` that supports ``ON CONFLICT`` on the session's database (or
    on the database named by its dialect name)."""
    name = session if isinstance(session, str) else session.get_bind().dialect.name
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


@dataclass(frozen=True)
class _Plan:
    """A DML statement compiled once for a dialect, and how a row tuple becomes its parameters."""

    sql: str
    names: tuple[str, ...]  # the statement's parameters, by name (pyformat drivers)
    order: tuple[int, ...] | None  # positional drivers: the row index of each ? in turn
    processors: tuple[tuple[int, Callable[[Any], Any]], ...]  # (row index, bind processor)


def execute_many(
    session: Session, statement: UpdateBase, names: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """Run ``statement`` once per row through the driver's executemany, in the session's
    transaction. Each row is a tuple of the values of ``names`` (the statement's bound
    parameters; for an INSERT, its columns), in that order.

    The same as ``session.execute(statement, [dict, ...])``, types' bind processors included,
    without SQLAlchemy's per-row parameter dictionaries: on a page of leads those cost as
    much as the database's own insert. Pass a statement built once (a module constant): its
    compiled form is cached per dialect.
    """
    rows = list(rows)
    if not rows:
        return
    session.flush()  # what session.execute's autoflush would have done
    connection = session.connection()
    plan = _plan(statement, tuple(names), connection.dialect)
    processors = plan.processors
    params: list[Any] = []
    for row in rows:
        values = list(row)
        for index, process in processors:
            values[index] = process(values[index])
        if plan.order is None:
            params.append(dict(zip(plan.names, values, strict=True)))
        else:
            params.append(tuple([values[i] for i in plan.order]))
    connection.exec_driver_sql(plan.sql, params)


@lru_cache(maxsize=128)
def _plan(statement: UpdateBase, names: tuple[str, ...], dialect: Dialect) -> _Plan:
    keys = list(names) if isinstance(statement, Insert) else None
    compiled = statement.compile(dialect=dialect, column_keys=keys)
    binds = compiled.binds
    unknown = set(binds) - set(names)
    if unknown:  # e.g. a column with a Python-side default the caller did not give
        raise ValueError(f"parameters {sorted(unknown)} are not among the row's {list(names)}")
    processors = []
    for index, name in enumerate(names):
        bind = binds.get(name)
        process = (
            bind.type.dialect_impl(dialect).bind_processor(dialect) if bind is not None else None
        )
        if process is not None:
            processors.append((index, process))
    positions = compiled.positiontup
    order = None if positions is None else tuple(names.index(name) for name in positions)
    # the names as the SQL text spells them (a name SQL cannot hold as is gets escaped)
    spelled = tuple(compiled.escaped_bind_names.get(name, name) for name in names)
    return _Plan(compiled.string, spelled, order, tuple(processors))
