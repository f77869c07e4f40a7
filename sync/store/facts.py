"""The leads one feedback run counts, materialized once per run in temporary tables.

``feedback_reason_codes`` holds what each distinct stored reason value means (filled from the
catalogue by the feedback step); ``feedback_facts`` one row per counted lead: live leads (not
deleted, not merged away) of the given sources, with their reason's code and kind, contact-data
validity, and the local days they were created and disqualified on. Every aggregate and metric
(:mod:`sync.store.aggregates`, :mod:`sync.store.funnel`) reads these tables, so the status
history is scanned once per run. Temporary tables belong to the session's connection: a
concurrent run (another worker, ``leadloop report``) never sees them.

A lead is disqualified when its status is nurture or unqualified; it was disqualified at the
start of its current spell in those statuses as leadloop observed it: the latest status change
*into* nurture or unqualified *from* any other status (or first seen that way).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    MetaData,
    String,
    Table,
    Text,
    and_,
    case,
    func,
    insert,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement, Insert, Subquery

from sync.store.calendar import Shifts, local_date
from sync.store.models import LeadRow, StatusChange
from sync.store.types import BigIntKey, UTCDateTime

DISQUALIFIED = ("nurture", "unqualified")
#: reason kinds (see sync.feedback.codes) of a catalogue reason: reason-fill compliance
COMPLIANT = ("catalogue", "variant", "legacy")
#: reason kinds of a reason filled in, but not in the catalogue's own words
VAGUE_OR_LEGACY = ("legacy", "ambiguous", "vague", "unknown")
#: what an empty lead source, campaign or owner is counted and shown as
NONE = "(none)"

_TEMPORARY = MetaData()
REASON_CODES = Table(
    "feedback_reason_codes",
    _TEMPORARY,
    Column("source", String(64), primary_key=True),
    Column("value", Text, primary_key=True),
    Column("code", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    prefixes=["TEMPORARY"],
)
FACTS = Table(
    "feedback_facts",
    _TEMPORARY,
    Column("lead_id", BigIntKey, nullable=False),
    Column("source", String(64), nullable=False),
    Column("lead_source", Text, nullable=False),
    Column("campaign", Text, nullable=False),
    Column("owner", Text, nullable=False),
    Column("status", String(16)),
    Column("email", Text),
    Column("code", String(64)),  # None unless disqualified
    Column("kind", String(16)),
    Column("email_valid", Boolean, nullable=False),
    Column("phone_valid", Boolean, nullable=False),
    Column("email_invalid", Boolean, nullable=False),
    Column("phone_invalid", Boolean, nullable=False),
    Column("converted", Boolean, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("converted_at", UTCDateTime),
    Column("disqualified_at", UTCDateTime),
    Column("created_day", Date, nullable=False),
    Column("disqualified_day", Date),
    prefixes=["TEMPORARY"],
)
#: (period, group, reason) in which a recommendation held: the owner scorecard's "fed"
HELD = Table(
    "feedback_held",
    _TEMPORARY,
    Column("period", String(10), nullable=False),
    Column("source", String(64), nullable=False),
    Column("lead_source", Text, nullable=False),
    Column("campaign", Text, nullable=False),
    Column("reason", String(64), nullable=False),
    prefixes=["TEMPORARY"],
)
_TABLES = (REASON_CODES, FACTS, HELD)


def reason_values(session: Session, sources: Collection[str]) -> list[tuple[str, str]]:
    """The distinct ``(source, reason value)`` of live disqualified leads of ``sources``."""
    reason = _reason_value()
    query = (
        select(LeadRow.source, reason)
        .distinct()
        .where(_live(sources), LeadRow.status.in_(DISQUALIFIED), reason.is_not(None))
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
) -> Iterator[None]:
    """Fill the temporary tables for the block (dropped afterwards).

    ``codes``: ``(source, value, code, kind)`` of every value :func:`reason_values` gave.
    ``shifts``: the zone's offsets (:mod:`sync.store.calendar`). ``disqualified_only`` leaves
    out leads that are not disqualified (enough for the reason aggregates and the push).
    """
    connection = session.connection()
    for table in _TABLES:
        table.drop(connection, checkfirst=True)  # a pooled connection may still hold them
        table.create(connection)
    rows = [dict(zip(("source", "value", "code", "kind"), c, strict=True)) for c in codes]
    if rows:
        session.execute(insert(REASON_CODES), rows)
    session.execute(_fill(sources, shifts, disqualified_only))
    yield
    # not in a `finally`: after an error the transaction is aborted and the caller rolls it
    # back (a connection that still holds the tables drops them at the next run's start)
    for table in reversed(_TABLES):
        table.drop(connection, checkfirst=True)


def hold(session: Session, held: Iterable[tuple[str, str, str, str, str]]) -> None:
    """Remember ``(period, source, lead_source, campaign, reason)`` tuples in which a
    recommendation held (inside :func:`counted_leads`)."""
    names = ("period", "source", "lead_source", "campaign", "reason")
    rows = [dict(zip(names, row, strict=True)) for row in set(held)]
    if rows:
        session.execute(insert(HELD), rows)


def _reason_value() -> ColumnElement[Any]:
    """The reason of a disqualified lead: the field of its status (a nurture lead's nurture
    reason, an unqualified lead's unqualified reason)."""
    return case(
        (LeadRow.status == "nurture", LeadRow.nurture_reason),
        (LeadRow.status == "unqualified", LeadRow.unqualified_reason),
    )


def _live(sources: Collection[str]) -> ColumnElement[bool]:
    return and_(
        LeadRow.source.in_(sorted(sources)),
        LeadRow.is_deleted.is_(False),
        LeadRow.merged_into.is_(None),
    )


def _entered() -> Subquery:
    """Per lead, when it last entered nurture or unqualified from another status (or was
    first seen in one): the start of its current spell when it is disqualified now."""
    return (
        select(StatusChange.lead_id, func.max(StatusChange.changed_at).label("at"))
        .where(
            StatusChange.to_status.in_(DISQUALIFIED),
            or_(StatusChange.from_status.is_(None), StatusChange.from_status.not_in(DISQUALIFIED)),
        )
        .group_by(StatusChange.lead_id)
        .subquery("entered")
    )


def _named(column: Any) -> ColumnElement[str]:
    return func.coalesce(func.nullif(func.trim(column), ""), NONE)


def _fill(sources: Collection[str], shifts: Shifts, disqualified_only: bool) -> Insert:
    reason, entered = _reason_value(), _entered()
    disqualified = LeadRow.status.in_(DISQUALIFIED)
    # a disqualified lead without history (none is stored without it) falls back on stamps
    disqualified_at = case(
        (
            disqualified,
            func.coalesce(
                entered.c.at,
                LeadRow.status_changed_at,
                LeadRow.modified_at,
                LeadRow.first_seen_at,
            ),
        )
    )
    created = func.coalesce(LeadRow.created_at, LeadRow.first_seen_at)
    no_code = case((reason.is_(None), literal("missing")), else_=literal("unmapped"))
    no_kind = case((reason.is_(None), literal("missing")), else_=literal("unknown"))
    columns = (
        LeadRow.id,
        LeadRow.source,
        _named(LeadRow.lead_source),
        _named(LeadRow.campaign),
        _named(LeadRow.owner),
        LeadRow.status,
        LeadRow.email,
        case((disqualified, func.coalesce(REASON_CODES.c.code, no_code))),
        case((disqualified, func.coalesce(REASON_CODES.c.kind, no_kind))),
        LeadRow.email.is_not(None),
        LeadRow.phone.is_not(None),
        LeadRow.email_invalid,
        LeadRow.phone_invalid,
        or_(LeadRow.status == "converted", LeadRow.converted_at.is_not(None)),
        created,
        LeadRow.converted_at,
        disqualified_at,
        local_date(created, shifts),
        local_date(disqualified_at, shifts),
    )
    joined = LeadRow.__table__.outerjoin(
        entered, and_(entered.c.lead_id == LeadRow.id, disqualified)
    ).outerjoin(
        REASON_CODES,
        and_(REASON_CODES.c.source == LeadRow.source, REASON_CODES.c.value == reason),
    )
    query = select(*columns).select_from(joined).where(_live(sources))
    if disqualified_only:
        query = query.where(disqualified)
    return insert(FACTS).from_select([c.name for c in FACTS.columns], query)
