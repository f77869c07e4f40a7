"""Reason aggregates over the counted leads (:mod:`sync.store.facts`), one SQL statement each
(the reasons of a period kind roll up the per-day sums of ``feedback_daily``).

A group is period x source x lead source x campaign, the period being the one the lead was
disqualified in; within a group each reason code gets its count, its share of the group's
disqualified leads, its nurture/unqualified split and the validity of its contact data.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import BigInteger, Float, case, cast, func, literal, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from sync.store.calendar import period_of
from sync.store.facts import DAILY, FACTS
from sync.store.sql import ONE, ZERO

F, D = FACTS.c, DAILY.c


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
    return func.sum(case((condition, ONE), else_=ZERO))


def _ratio(part: ColumnElement[Any], whole: ColumnElement[Any]) -> ColumnElement[Any]:
    return cast(part, Float) / cast(whole, Float)


def disqualified_since(since: date | None) -> list[ColumnElement[bool]]:
    """The filter of counted disqualified leads, from local day ``since`` on."""
    where: list[ColumnElement[bool]] = [F.disqualified_day.is_not(None)]
    if since is not None:
        where.append(F.disqualified_day >= since)
    return where


def reason_rows(session: Session, kind: str, week_start: int) -> list[ReasonRow]:
    """Every reason of every group of ``kind`` periods, in order (from ``feedback_daily``)."""
    period = period_of(D.day, kind, week_start).label("period")
    leads, valid = func.sum(D.leads), func.sum(D.valid_contact)
    # PostgreSQL sums integers into numeric: back to integers
    group = (period, D.source, D.lead_source, D.campaign)
    group_total = cast(func.sum(leads).over(partition_by=group), BigInteger)
    columns = (
        period, D.source, D.lead_source, D.campaign, D.reason, cast(leads, BigInteger),
        group_total, _ratio(leads, group_total), cast(func.sum(D.nurture), BigInteger),
        cast(func.sum(D.unqualified), BigInteger), cast(valid, BigInteger), _ratio(valid, leads),
        _ratio(func.sum(D.email_valid), leads), _ratio(func.sum(D.email_invalid), leads),
        _ratio(func.sum(D.phone_valid), leads), _ratio(func.sum(D.phone_invalid), leads),
    )  # fmt: skip
    keys = (period, D.source, D.lead_source, D.campaign, D.reason)
    query = select(*columns).group_by(*keys).order_by(*keys)
    return [ReasonRow._make(row) for row in session.execute(query).all()]


def overlap(
    session: Session, sources: Sequence[str], since: date | None = None
) -> tuple[int, dict[str, int]]:
    """People counted under more than one of ``sources``: how many distinct emails, and per
    source how many of its disqualified leads share their email with another source's.

    One grouping by email counts each source's leads per email; the emails that two sources
    or more hold are the overlap.
    """
    if len(sources) < 2:
        return 0, {}
    per_email = [_sum(F.source == literal(name)).label(f"n{i}") for i, name in enumerate(sources)]
    emails = (
        select(*per_email)
        .where(*disqualified_since(since), F.email.is_not(None))
        .group_by(F.email)
        .subquery("emails")
    )
    held = [case((column > ZERO, ONE), else_=ZERO) for column in emails.c]
    shared = sum(held[1:], held[0]) > ONE
    totals = session.execute(
        select(func.count(), *(func.sum(column) for column in emails.c)).where(shared)
    ).one()
    people, counts = int(totals[0] or 0), totals[1:]
    found = {name: int(n or 0) for name, n in zip(sources, counts, strict=True) if n}
    return people, found
