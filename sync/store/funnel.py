"""Funnel metrics over the counted leads (:mod:`sync.store.facts`), in SQL on both databases.

The funnel follows a cohort: the leads created in a period (or since a day), split by any of
source, lead source, campaign and owner. Medians are the middle value (or the mean of the two
middle values) of each group, found with ``ROW_NUMBER() OVER (PARTITION BY ...)``.
``docs/metrics.md`` defines every metric.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Float, and_, case, cast, func, literal, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement, Select

from sync.store.calendar import days_between, period_of
from sync.store.facts import COMPLIANT, FACTS, VAGUE_OR_LEGACY
from sync.store.models import OutboxItem, StatusChange
from sync.store.sql import ONE, ZERO

F = FACTS.c
DIMENSIONS = ("source", "lead_source", "campaign", "owner")
CLEAR_POLICY = "clear_reasons_on_exit"


@dataclass(frozen=True)
class FunnelRow:
    """The funnel of one cohort: ``key`` is its period (when asked per period) and its values
    of the dimensions asked for, in that order. Rates are None without a denominator."""

    key: tuple[str, ...]
    leads: int
    disqualified: int
    nurture: int
    unqualified: int
    converted: int
    with_reason: int  # disqualified with a catalogue reason
    vague_or_legacy: int  # disqualified with a reason not in the catalogue's own words
    disqualification_rate: float | None
    nurture_rate: float | None
    conversion_rate: float | None
    compliance: float | None
    vague_or_legacy_share: float | None
    median_days_to_disqualify: float | None = field(default=None, kw_only=True)
    median_sales_cycle_days: float | None = field(default=None, kw_only=True)
    median_reason_linger_days: float | None = field(default=None, kw_only=True)


@dataclass(frozen=True)
class Cohort:
    """Which leads and how to split them: by ``kind`` periods of creation (None: one cohort
    since ``since``), then by ``dimensions``."""

    dimensions: Sequence[str] = ()
    kind: str | None = None
    week_start: int = 0
    since: date | None = None

    def keys(self) -> list[ColumnElement[Any]]:
        keys: list[ColumnElement[Any]] = []
        if self.kind is not None:
            keys.append(period_of(F.created_day, self.kind, self.week_start))
        return keys + [F[name] for name in self.dimensions]

    def where(self) -> list[ColumnElement[bool]]:
        return [] if self.since is None else [F.created_day >= self.since]


def _sum(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.sum(case((condition, ONE), else_=ZERO))


def _rate(part: ColumnElement[Any], whole: ColumnElement[Any]) -> ColumnElement[Any]:
    return cast(part, Float) / cast(func.nullif(whole, ZERO), Float)


def _counts(cohort: Cohort) -> Select[Any]:
    keys = cohort.keys()
    disqualified = F.code.is_not(None)
    leads, dq = func.count(), _sum(disqualified)
    nurture, converted = _sum(F.status == "nurture"), _sum(F.converted)
    with_reason = _sum(disqualified & F.kind.in_(COMPLIANT))
    vague = _sum(disqualified & F.kind.in_(VAGUE_OR_LEGACY))
    columns = (
        *keys, leads, dq, nurture, _sum(F.status == "unqualified"), converted, with_reason, vague,
        _rate(dq, leads), _rate(nurture, leads), _rate(converted, leads), _rate(with_reason, dq),
        _rate(vague, dq),
    )  # fmt: skip
    return select(*columns).where(*cohort.where()).group_by(*keys).order_by(*keys)


def funnel_rows(session: Session, cohort: Cohort) -> list[FunnelRow]:
    """The funnel of every group of ``cohort``, ordered by key."""
    velocity = _medians(session, cohort, F.days_to_disqualify, F.code.is_not(None))
    cycle = _medians(session, cohort, F.cycle_days, F.cycle_days.is_not(None))
    linger = _linger_medians(session, cohort)
    width = len(cohort.keys())
    rows = []
    for row in session.execute(_counts(cohort)):
        key = tuple(str(k) for k in row[:width])
        rows.append(
            FunnelRow(
                key,
                *row[width:],
                median_days_to_disqualify=velocity.get(key),
                median_sales_cycle_days=cycle.get(key),
                median_reason_linger_days=linger.get(key),
            )
        )
    return rows


def _medians(
    session: Session,
    cohort: Cohort,
    value: ColumnElement[Any],
    where: ColumnElement[bool],
    joined: Any = None,
) -> dict[tuple[str, ...], float]:
    """The median of ``value`` per group of ``cohort`` over the rows ``where`` holds."""
    keys = [k.label(f"k{i}") for i, k in enumerate(cohort.keys())]
    ranked = select(
        *keys,
        value.label("v"),
        func.row_number().over(partition_by=keys, order_by=value).label("rn"),
        func.count().over(partition_by=keys).label("n"),
    ).where(where, value.is_not(None), *cohort.where())
    if joined is not None:
        ranked = ranked.select_from(joined)
    ranks = ranked.subquery("ranked")
    middle = [ranks.c[k.name] for k in keys]
    query: Select[Any] = (
        select(*middle, func.avg(ranks.c.v))
        .where(ranks.c.rn.in_(((ranks.c.n + 1) // 2, (ranks.c.n + 2) // 2)))
        .group_by(*middle)
    )
    return {tuple(str(k) for k in row[:-1]): float(row[-1]) for row in session.execute(query)}


def _linger_medians(session: Session, cohort: Cohort) -> dict[tuple[str, ...], float]:
    """Days from the status change that made a reason stale (the lead left the reason's
    status) to leadloop's write that cleared it, per group: each cleared reason counts once.
    A lead first seen already out of that status left it when it entered the status it was
    first seen in (the CRM's status-change time when it has one)."""
    status = case((OutboxItem.field == "nurture_reason", literal("nurture")), else_="unqualified")
    first_seen_elsewhere = and_(
        StatusChange.from_status.is_(None),
        or_(StatusChange.to_status.is_(None), StatusChange.to_status != status),
    )
    left = (
        select(func.max(StatusChange.changed_at))
        .where(
            StatusChange.lead_id == OutboxItem.lead_id,
            or_(StatusChange.from_status == status, first_seen_elsewhere),
            StatusChange.changed_at <= OutboxItem.sent_at,
        )
        .scalar_subquery()
    )
    cleared = and_(
        OutboxItem.policy == CLEAR_POLICY,
        OutboxItem.field.in_(("nurture_reason", "unqualified_reason")),  # not a review flag
        OutboxItem.state == "sent",
        OutboxItem.applied.is_(True),
    )
    joined = FACTS.join(OutboxItem, OutboxItem.lead_id == F.lead_id)
    return _medians(session, cohort, days_between(left, OutboxItem.sent_at), cleared, joined)
