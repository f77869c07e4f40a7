"""The owner scorecard: per rep, what their disqualifications tell marketing.

Over the leads disqualified since a day (:mod:`sync.store.facts`): how many each owner
disqualified, how many with a catalogue reason, how many with a vague or legacy one, and how
many of them fed a recommendation (their lead's period, group and reason is one in which a
recommendation held: :func:`sync.store.facts.hold`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Float, and_, case, cast, exists, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from sync.store.aggregates import disqualified_since
from sync.store.calendar import period_of
from sync.store.facts import COMPLIANT, FACTS, HELD, VAGUE_OR_LEGACY
from sync.store.sql import ONE, ZERO

F, H = FACTS.c, HELD.c


@dataclass(frozen=True)
class OwnerRow:
    owner: str
    disqualified: int
    with_reason: int
    compliance: float
    vague_or_legacy: int
    fed_recommendations: int


def _sum(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.sum(case((condition, ONE), else_=ZERO))


def owner_rows(
    session: Session, kind: str, week_start: int, since: date | None = None
) -> list[OwnerRow]:
    """The scorecard of every owner with disqualified leads, most disqualified first.
    ``kind``: the period recommendations are judged on (the held tuples' periods)."""
    fed = exists().where(
        and_(
            H.period == period_of(F.disqualified_day, kind, week_start),
            H.source == F.source,
            H.lead_source == F.lead_source,
            H.campaign == F.campaign,
            H.reason == F.code,
        )
    )
    count, with_reason = func.count(), _sum(F.kind.in_(COMPLIANT))
    query = (
        select(
            F.owner,
            count,
            with_reason,
            cast(with_reason, Float) / count,
            _sum(F.kind.in_(VAGUE_OR_LEGACY)),
            _sum(fed),
        )
        .where(*disqualified_since(since))
        .group_by(F.owner)
        .order_by(count.desc(), F.owner)
    )
    return [OwnerRow(*row) for row in session.execute(query)]
