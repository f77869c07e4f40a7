"""Calendar arithmetic in SQL that gives the same answers on SQLite and PostgreSQL.

SQLite knows no time zones, so a timestamp is moved to local time with the zone's offsets over
the span asked for (``shifts``: from this UTC instant on, this many seconds ahead), written as
one CASE, newest first; both databases then truncate the local date to its day, week or month.
Period keys are text, the period's first day: ``2026-03-09``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Date, Float, Integer, String, case, cast, func, literal, literal_column
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from sync.store.types import UTCDateTime

Shifts = Sequence[tuple[datetime, int]]


class local_date(FunctionElement[Any]):  # a SQL function, named like one
    """``local_date(timestamp, shifts)``: the calendar day of a UTC timestamp in the zone whose
    offsets ``shifts`` gives (text ``YYYY-MM-DD`` on SQLite, a date on PostgreSQL)."""

    type = Date()
    inherit_cache = False  # the shifts are not part of a cache key

    def __init__(self, moment: Any, shifts: Shifts) -> None:
        if not shifts:
            raise ValueError("local_date needs the zone's offset at one instant at least")
        self.moment, self.shifts = moment, shifts
        super().__init__(moment)


def _offset(moment: Any, shifts: Shifts, render: Any) -> ColumnElement[Any]:
    """The zone's offset at ``moment``: a CASE over the shifts, newest first (most rows are
    recent); ``render`` turns seconds into what the dialect adds to a timestamp."""
    newest_first = list(reversed(shifts))
    if len(newest_first) == 1:
        return literal(render(newest_first[0][1]))
    whens = [
        (moment >= literal(start, UTCDateTime()), literal(render(seconds)))
        for start, seconds in newest_first[:-1]
    ]
    return case(*whens, else_=literal(render(newest_first[-1][1])))


@compiles(local_date, "sqlite")
def _local_date_sqlite(element: local_date, compiler: Any, **kw: Any) -> str:
    offset = _offset(element.moment, element.shifts, lambda s: f"{s:+d} seconds")
    return str(compiler.process(func.date(element.moment, offset), **kw))


@compiles(local_date, "postgresql")
def _local_date_postgresql(element: local_date, compiler: Any, **kw: Any) -> str:
    offset = _offset(element.moment, element.shifts, int)
    utc_wall = func.timezone("UTC", element.moment)
    local = utc_wall + func.make_interval(0, 0, 0, 0, 0, 0, offset)
    return str(compiler.process(cast(local, Date), **kw))


#: the period kinds, shortest first
KINDS = ("day", "week", "month")


class period_of(FunctionElement[str]):
    """``period_of(local_day, kind, week_start)``: the key (first day, ``YYYY-MM-DD``) of the
    day, week or month holding a local day; ``week_start`` 0 is Monday .. 6 Sunday."""

    type = String()
    inherit_cache = False

    def __init__(self, day: Any, kind: str, week_start: int = 0) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown period kind {kind!r}")
        self.day, self.kind, self.week_start = day, kind, week_start
        super().__init__(day)


class bucket_of(FunctionElement[Any]):
    """``bucket_of(local_day, kinds, week_start)``: the first day of the largest span holding a
    local day that lies within one period of each of ``kinds``: the day itself when days are
    among them, else the later of its week's and its month's first days (a week split at a
    month's start is two buckets). Rolling buckets up by :class:`period_of` gives each kind's
    periods exactly as rolling up days does, from far fewer rows (a day type on PostgreSQL,
    ``YYYY-MM-DD`` text on SQLite, like the day)."""

    type = Date()
    inherit_cache = False

    def __init__(self, day: Any, kinds: Sequence[str], week_start: int = 0) -> None:
        unknown = sorted(set(kinds) - set(KINDS))
        if unknown or not kinds:
            raise ValueError(f"unknown or no period kinds: {unknown or kinds!r}")
        self.day, self.kinds, self.week_start = day, tuple(kinds), week_start
        super().__init__(day)


def _starts_sqlite(day: Any, kinds: Sequence[str], week_start: int) -> list[Any]:
    """The first day of ``day``'s period of each kind, as SQLite text dates (inline
    modifiers, not bound: SQLite computes an expression once per row only when the one in
    GROUP BY, SELECT and PARTITION BY is the very same text)."""
    starts: list[Any] = []
    for kind in kinds:
        if kind == "day":
            starts.append(day)
            continue
        # back six days, then forward to the week's first weekday (SQLite: 0 is Sunday)
        weekday = f"'weekday {(week_start + 1) % 7}'"
        truncate = ["'-6 days'", weekday] if kind == "week" else ["'start of month'"]
        starts.append(func.date(day, *(literal_column(m) for m in truncate)))
    return starts


def _starts_postgresql(day: Any, kinds: Sequence[str], week_start: int) -> list[Any]:
    """The first day of ``day``'s period of each kind, as PostgreSQL dates (constants inline,
    not bound: PostgreSQL groups by an expression only when the one in GROUP BY is the very
    one in SELECT, and two bound parameters are two expressions)."""
    starts: list[Any] = []
    for kind in kinds:
        if kind == "week":
            iso_start: Any = literal_column(str(week_start + 1))  # ISO weekday: 1 is Monday
            weekday = cast(func.extract("isodow", day), Integer)
            starts.append(day - (weekday - iso_start + literal_column("7")) % literal_column("7"))
        elif kind == "month":
            starts.append(cast(func.date_trunc(literal_column("'month'"), day), Date))
        else:
            starts.append(day)
    return starts


@compiles(period_of, "sqlite")
def _period_of_sqlite(element: period_of, compiler: Any, **kw: Any) -> str:
    (start,) = _starts_sqlite(element.day, (element.kind,), element.week_start)
    return str(compiler.process(start, **kw))


@compiles(period_of, "postgresql")
def _period_of_postgresql(element: period_of, compiler: Any, **kw: Any) -> str:
    (start,) = _starts_postgresql(element.day, (element.kind,), element.week_start)
    return str(compiler.process(func.to_char(start, literal_column("'YYYY-MM-DD'")), **kw))


def _bucket(starts: list[Any], latest: Any) -> Any:
    return starts[0] if len(starts) == 1 else latest(*starts)


@compiles(bucket_of, "sqlite")
def _bucket_of_sqlite(element: bucket_of, compiler: Any, **kw: Any) -> str:
    kinds = ("day",) if "day" in element.kinds else element.kinds
    starts = _starts_sqlite(element.day, kinds, element.week_start)
    return str(compiler.process(_bucket(starts, func.max), **kw))  # max(a, b): the later


@compiles(bucket_of, "postgresql")
def _bucket_of_postgresql(element: bucket_of, compiler: Any, **kw: Any) -> str:
    kinds = ("day",) if "day" in element.kinds else element.kinds
    starts = _starts_postgresql(element.day, kinds, element.week_start)
    return str(compiler.process(_bucket(starts, func.greatest), **kw))


class days_between(FunctionElement[float]):
    """``days_between(start, end)``: ``end - start`` in days, with fractions."""

    type = Float()
    inherit_cache = True


@compiles(days_between, "sqlite")
def _days_between_sqlite(element: days_between, compiler: Any, **kw: Any) -> str:
    start, end = list(element.clauses)
    return str(compiler.process(func.julianday(end) - func.julianday(start), **kw))


@compiles(days_between, "postgresql")
def _days_between_postgresql(element: days_between, compiler: Any, **kw: Any) -> str:
    start, end = list(element.clauses)
    seconds = func.extract("epoch", end - start)
    return str(compiler.process(cast(seconds, Float) / literal(86400.0), **kw))


__all__ = ["KINDS", "Shifts", "bucket_of", "days_between", "local_date", "period_of"]
