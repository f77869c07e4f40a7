"""Reason aggregates over the counted leads (:mod:`sync.store.facts`), one SQL statement each.

A group is period x source x lead source x campaign, the period being the one the lead was
disqualified in; within a group each reason code gets its count, its share of the group's
disqualified leads, its nurture/unqualified split and the validity of its contact data.
"""

from __future__ import annotations

from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import BigInteger, Float, case, cast, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from sync.store.calendar import period_of
from sync.store.facts import FACTS

F = FACTS.c


class ReasonRow(NamedTuple):
    """One reason in one group and period. Shares are fractions of ``count`` except ``share``
    (of the group's disqualified leads). A tuple: a million leads make 100,000s of them."""

    period: str
    source: str
    lead_source: str
    campaign: str
    reason: str
    leads: int  # disqualified leads with this reason
    disqualified: int  # the group's disqualified leads: the share's denominator
    share: float
    nurture: int
    unqualified: int
    valid_contact: int  # a valid email or a valid phone
    valid_contact_share: float
    email_valid_share: float
    email_invalid_share: float
    phone_valid_share: float
    phone_invalid_share: float

    @property
    def group(self) -> tuple[str, str, str]:
        return (self.source, self.lead_source, self.campaign)


def _sum(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.sum(case((condition, 1), else_=0))


def _ratio(part: ColumnElement[Any], whole: ColumnElement[Any]) -> ColumnElement[Any]:
    return cast(part, Float) / cast(whole, Float)


def disqualified_since(since: date | None) -> list[ColumnElement[bool]]:
    """The filter of counted disqualified leads, from local day ``since`` on."""
    where: list[ColumnElement[bool]] = [F.disqualified_day.is_not(None)]
    if since is not None:
        where.append(F.disqualified_day >= since)
    return where


def reason_rows(
    session: Session, kind: str, week_start: int, since: date | None = None
) -> list[ReasonRow]:
    """Every reason of every group of ``kind`` periods (from local day ``since``), in order."""
    period = period_of(F.disqualified_day, kind, week_start).label("period")
    count = func.count()
    valid = _sum(F.email_valid | F.phone_valid)
    # PostgreSQL sums integers into numeric: back to an integer
    group = (period, F.source, F.lead_source, F.campaign)
    group_total = cast(func.sum(count).over(partition_by=group), BigInteger)
    columns = (
        period, F.source, F.lead_source, F.campaign, F.code, count, group_total,
        _ratio(count, group_total), _sum(F.status == "nurture"), _sum(F.status == "unqualified"),
        valid, _ratio(valid, count), _ratio(_sum(F.email_valid), count),
        _ratio(_sum(F.email_invalid), count), _ratio(_sum(F.phone_valid), count),
        _ratio(_sum(F.phone_invalid), count),
    )  # fmt: skip
    query = (
        select(*columns)
        .where(*disqualified_since(since))
        .group_by(period, F.source, F.lead_source, F.campaign, F.code)
        .order_by(period, F.source, F.lead_source, F.campaign, F.code)
    )
    return [ReasonRow._make(row) for row in session.execute(query).all()]


def overlap(session: Session, since: date | None = None) -> tuple[int, dict[str, int]]:
    """People counted under more than one source: how many distinct emails, and per source
    how many of its disqualified leads share their email with another source's."""
    shared = (
        select(F.email)
        .where(*disqualified_since(since), F.email.is_not(None))
        .group_by(F.email)
        .having(func.count(F.source.distinct()) > 1)
    )
    people = session.scalar(select(func.count()).select_from(shared.subquery())) or 0
    per_source = session.execute(
        select(F.source, func.count())
        .where(*disqualified_since(since), F.email.in_(shared))
        .group_by(F.source)
        .order_by(F.source)
    )
    return people, {source: n for source, n in per_source}
