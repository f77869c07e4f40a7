"""Leads whose verdict changes with time alone: re-evaluated although the CRM did not change.

``require_reason`` fires once its grace period has passed and ``low_score_nurture`` once a
lead is old enough; neither needs a CRM edit, so no pull brings those leads back. Each run
re-evaluates the stored leads whose deadline fell since the last successful run started, and
the leads whose entry time the CRM's field history just moved earlier
(:func:`~sync.pipeline.entry.refine_first_seen`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from sync.pipeline.entry import refine_first_seen
from sync.pipeline.ingest import NORMALIZE_POLICY, Counts, IngestContext, evaluate_leads
from sync.pipeline.policies import PoliciesConfig
from sync.pipeline.sources import Source
from sync.store.due import DueRules, due_leads
from sync.store.leads import load_leads


def due_rules(config: PoliciesConfig) -> DueRules:
    """The store's view of the enabled time-based policies."""
    return DueRules(
        missing_reason_grace=config.require_reason.grace_period
        if config.require_reason.enabled
        else None,
        new_lead_age=config.low_score_nurture.min_age if config.low_score_nurture.enabled else None,
    )


def reevaluate_due(
    session: Session,
    source: Source,
    context: Callable[[], IngestContext],
    since: datetime | None,
    now: datetime,
    config: PoliciesConfig,
) -> Counts:
    """Re-evaluate the due leads of ``source`` (the context is built only if there are any).

    ``since`` None means no run succeeded before: this run's pull evaluated every stored lead
    (only the leads whose entry time the CRM's history moved are evaluated again).
    """
    due = dict(refine_first_seen(session, source, now, config))
    if since is not None:
        due.update(due_leads(session, source.name, due_rules(config), since, now))
    if not due:
        return Counts()
    # with the raw payloads: a correction carries the CRM values it was decided on
    stored = load_leads(session, list(due.values()), with_raw=True)
    leads = [(lead_id, stored[key]) for lead_id, key in due.items()]
    return evaluate_leads(session, context(), leads, stored, keep=frozenset({NORMALIZE_POLICY}))
