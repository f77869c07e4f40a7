"""Leads whose policy verdict may change with time alone (a grace period ends, a lead ages)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlalchemy.orm import QueryableAttribute, Session

from sync.domain import Status
from sync.store.leads import LeadKey
from sync.store.models import LeadRow


@dataclass(frozen=True)
class DueRules:
    """The time-based rules in force: None switches a rule off.

    ``missing_reason_grace``: a nurture/unqualified lead without its reason becomes due this
    long after its status changed. ``new_lead_age``: a lead still new becomes due at this age.
    """

    missing_reason_grace: timedelta | None = None
    new_lead_age: timedelta | None = None


def _crossed(
    column: QueryableAttribute[datetime | None],
    age: timedelta,
    since: datetime | None,
    now: datetime,
) -> ColumnElement[bool]:
    upper = column < now - age
    return upper if since is None else and_(upper, column >= since - age)


def missing_reason() -> ColumnElement[bool]:
    """SQL condition for nurture/unqualified leads without the reason of their status."""
    return or_(
        and_(LeadRow.status == Status.NURTURE.value, LeadRow.nurture_reason.is_(None)),
        and_(LeadRow.status == Status.UNQUALIFIED.value, LeadRow.unqualified_reason.is_(None)),
    )


def due_condition(rules: DueRules, since: datetime | None, now: datetime) -> ColumnElement[bool]:
    """SQL condition for leads whose time-based verdict may have changed since ``since``."""
    terms: list[ColumnElement[bool]] = []
    if rules.missing_reason_grace is not None:
        crossed = _crossed(LeadRow.status_changed_at, rules.missing_reason_grace, since, now)
        terms.append(and_(missing_reason(), crossed))
    if rules.new_lead_age is not None:
        aged = _crossed(LeadRow.created_at, rules.new_lead_age, since, now)
        terms.append(and_(LeadRow.status == Status.NEW.value, aged))
    return or_(*terms) if terms else false()


def due_leads(
    session: Session, source: str, rules: DueRules, since: datetime, now: datetime
) -> list[tuple[int, LeadKey]]:
    """(lead id, key) of the live leads of ``source`` that became due in ``[since, now)``."""
    rows = session.execute(
        select(LeadRow.id, LeadRow.external_id).where(
            LeadRow.source == source,
            LeadRow.is_deleted.is_(False),
            due_condition(rules, since, now),
        )
    )
    return [(lead_id, (source, external_id)) for lead_id, external_id in rows]
