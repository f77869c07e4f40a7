"""Leads whose verdict changes with time alone: re-evaluated although the CRM did not change.

``require_reason`` fires once its grace period has passed and ``low_score_nurture`` once a
lead is old enough; neither needs a CRM edit, so no pull brings those leads back. Each run
re-evaluates the stored leads whose deadline fell since the last successful run started.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlalchemy.orm import QueryableAttribute, Session

from sync.domain import Status
from sync.pipeline.ingest import NORMALIZE_POLICY, Counts, IngestContext, evaluate_leads
from sync.pipeline.policies import PoliciesConfig
from sync.pipeline.sources import Source
from sync.store import repository
from sync.store.models import LeadRow


def _crossed(
    column: QueryableAttribute[datetime | None],
    age: timedelta,
    since: datetime | None,
    now: datetime,
) -> ColumnElement[bool]:
    upper = column < now - age
    return upper if since is None else and_(upper, column >= since - age)


def due_condition(
    config: PoliciesConfig, since: datetime | None, now: datetime
) -> ColumnElement[bool]:
    """SQL condition for leads whose time-based verdict may have changed since ``since``."""
    terms: list[ColumnElement[bool]] = []
    if config.require_reason.enabled:
        grace = config.require_reason.grace_period
        terms.append(
            and_(
                or_(
                    and_(LeadRow.status == Status.NURTURE.value, LeadRow.nurture_reason.is_(None)),
                    and_(
                        LeadRow.status == Status.UNQUALIFIED.value,
                        LeadRow.unqualified_reason.is_(None),
                    ),
                ),
                _crossed(LeadRow.status_changed_at, grace, since, now),
            )
        )
    if config.low_score_nurture.enabled:
        terms.append(
            and_(
                LeadRow.status == Status.NEW.value,
                _crossed(LeadRow.created_at, config.low_score_nurture.min_age, since, now),
            )
        )
    return or_(*terms) if terms else false()


def reevaluate_due(
    session: Session,
    source: Source,
    context: Callable[[], IngestContext],
    since: datetime | None,
    now: datetime,
    config: PoliciesConfig,
) -> Counts:
    """Re-evaluate the due leads of ``source`` (the context is built only if there are any).

    ``since`` None means no run succeeded before: this run's pull evaluated every stored lead.
    """
    if since is None:
        return Counts()
    rows = session.execute(
        select(LeadRow.id, LeadRow.external_id).where(
            LeadRow.source == source.name,
            LeadRow.is_deleted.is_(False),
            due_condition(config, since, now),
        )
    ).all()
    if not rows:
        return Counts()
    stored = repository.load_leads(session, [(source.name, external) for _, external in rows])
    leads = [(lead_id, stored[(source.name, external)]) for lead_id, external in rows]
    return evaluate_leads(session, context(), leads, stored, keep=frozenset({NORMALIZE_POLICY}))
