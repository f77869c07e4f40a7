"""The leads one feedback run counts, materialized once per run in temporary tables.

``feedback_reason_codes`` holds what each distinct stored reason value means (filled from the
catalogue by the feedback step); ``feedback_facts`` one row per counted lead: live leads (not
deleted, not merged away) of the given sources, with their reason's code and kind, contact-data
validity, and the local days they were created and disqualified on. Every aggregate and metric
(:mod:`sync.store.aggregates`, :mod:`sync.store.funnel`) reads these tables, so the leads
are read once per run. Temporary tables belong to the session's connection: a concurrent run
(another worker, ``leadloop report``) never sees them.

A lead is disqualified when its status is nurture or unqualified; it was disqualified at the
start of its current spell in those statuses as leadloop observed it: the latest status change
*into* nurture or unqualified *from* any other status (or first seen that way), which the
store keeps on the lead as it writes the history (``leads.disqualified_at``,
:func:`sync.store.history.refresh_disqualified_at`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from sync.store.calendar import KINDS, Shifts
from sync.store.facts_fill import daily_sums, fill_facts, live, reason_value
from sync.store.feedback_tables import (
    COMPLIANT,
    DAILY,
    DAILY_COUNTS,
    DISQUALIFIED,
    FACTS,
    HELD,
    NONE,
    REASON_CODES,
    TABLES,
    VAGUE_OR_LEGACY,
)
from sync.store.models import LeadRow

__all__ = [
    "COMPLIANT", "DAILY", "DAILY_COUNTS", "DISQUALIFIED", "FACTS", "HELD", "NONE",
    "REASON_CODES", "VAGUE_OR_LEGACY", "counted_leads", "hold", "reason_values",
]  # fmt: skip


def reason_values(session: Session, sources: Collection[str]) -> list[tuple[str, str]]:
    """The distinct ``(source, reason value)`` of live disqualified leads of ``sources``."""
    reason = reason_value()
    query = (
        select(LeadRow.source, reason)
        .distinct()
        .where(live(sources), LeadRow.status.in_(DISQUALIFIED), reason.is_not(None))
        .order_by(LeadRow.source, reason)
    )
    return [(source, value) for source, value in session.execute(query)]


@contextmanager
def counted_leads(
    session: Session,
    sources: Collection[str],
    codes: Iterable[tuple[str, str, str, str]],
    shifts: Shifts,
    disqualified_only: bool = False,
    since: date | None = None,
    kinds: Sequence[str] = KINDS,
    week_start: int = 0,
) -> Iterator[None]:
    """Fill the temporary tables for the block (dropped afterwards).

    ``codes``: ``(source, value, code, kind)`` of every value :func:`reason_values` gave.
    ``shifts``: the zone's offsets (:mod:`sync.store.calendar`). ``disqualified_only`` leaves
    out leads that are not disqualified (enough for the reason aggregates and the push);
    ``since``: the first local day of disqualification summed into ``feedback_daily``;
    ``kinds``: the period kinds its sums must roll up to (weeks starting on ``week_start``).
    """
    connection = session.connection()
    _in_memory(connection)
    for table in TABLES:
        table.drop(connection, checkfirst=True)  # a pooled connection may still hold them
        table.create(connection)
    rows = [dict(zip(("source", "value", "code", "kind"), c, strict=True)) for c in codes]
    if rows:
        session.execute(insert(REASON_CODES), rows)
    session.execute(fill_facts(sources, shifts, disqualified_only))
    if connection.dialect.name == "postgresql":
        _analyze(connection)
    session.execute(daily_sums(since, kinds, week_start))
    yield
    # not in a `finally`: after an error the transaction is aborted and the caller rolls it
    # back (a connection that still holds the tables drops them at the next run's start)
    for table in reversed(TABLES):
        table.drop(connection, checkfirst=True)


def _analyze(connection: Connection) -> None:
    """Temporary tables are never analyzed by autovacuum: without statistics the planner
    guesses the grouping of a million rows and picks sorts for hashes. A sample of 3,000 rows
    (statistics target 10, not 100) tells hashes from sorts as well, at a tenth of the cost
    (0.3 s to 0.06 s on a million leads)."""
    connection.exec_driver_sql("SET LOCAL default_statistics_target = 10")
    connection.exec_driver_sql("ANALYZE feedback_facts")
    connection.exec_driver_sql("SET LOCAL default_statistics_target TO DEFAULT")


def _in_memory(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        # this transaction's sorts and hashes in memory (the default 4 MB spills them)
        connection.exec_driver_sql("SET LOCAL work_mem = '256MB'")
        return
    _sqlite_in_memory(connection)


def _sqlite_in_memory(connection: Connection) -> None:
    """SQLite: temporary tables and sorts in memory rather than in a temporary file (about a
    third faster on a million leads). Only settable outside a transaction: the feedback step
    fills the tables first thing, and when the caller already began one, files it is. The
    setting stays with the pooled connection (SQLite's default is a file)."""
    if connection.dialect.name != "sqlite" or connection.connection.in_transaction:
        return
    connection.exec_driver_sql("PRAGMA temp_store = MEMORY")


def hold(session: Session, held: Iterable[tuple[str, str, str, str, str]]) -> None:
    """Remember ``(period, source, lead_source, campaign, reason)`` tuples in which a
    recommendation held (inside :func:`counted_leads`)."""
    names = ("period", "source", "lead_source", "campaign", "reason")
    rows = [dict(zip(names, row, strict=True)) for row in set(held)]
    if rows:
        session.execute(insert(HELD), rows)
