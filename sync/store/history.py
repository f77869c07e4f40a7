"""The status history: one row per observed status change of a lead, and how its time is known.

``changed_at`` is when the lead entered ``to_status`` as far as leadloop knows; ``basis`` says
how (:data:`BASES`). A lead first seen in its status has only an upper bound (``first_seen``):
the CRM's stamp then. Where the CRM keeps a field history, :func:`first_seen_unverified` finds
the leads for which the exact time would change a verdict, and :func:`verify_first_seen`
records it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import datetime

from sqlalchemy import bindparam, exists, func, insert, or_, select, text, update
from sqlalchemy.orm import Session, aliased

from sync.domain import Lead
from sync.store.base import Base
from sync.store.due import missing_reason
from sync.store.feedback_tables import DISQUALIFIED
from sync.store.leads import (
    LeadKey,
    UpsertResult,
    expire_held_rows,
    latest_per_key,
    status_value,
)
from sync.store.models import SPELL_STARTS, LeadRow, StatusChange
from sync.store.sql import chunks, execute_many

CRM_FIELD = "crm_field"  # the CRM's own status-changed date
CRM_HISTORY = "crm_history"  # the CRM's field history (checked: exact, or no earlier time known)
OBSERVED = "observed"  # the CRM's stamp on the pull that first showed the new status
FIRST_SEEN = "first_seen"  # first seen in this status: its stamp then, an upper bound
BASES = (CRM_FIELD, CRM_HISTORY, OBSERVED, FIRST_SEEN)
_HISTORY = Base.metadata.tables["status_history"]
_LEADS = Base.metadata.tables["leads"]
_INSERT = insert(_HISTORY)
_INSERT_NAMES = (
    "lead_id",
    "from_status",
    "to_status",
    "changed_at",
    "observed_at",
    "run_id",
    "basis",
)


def record_status_changes(
    session: Session,
    leads: Iterable[Lead],
    results: Mapping[LeadKey, UpsertResult],
    now: datetime,
    run_id: int | None = None,
    bases: Mapping[LeadKey, str] | None = None,
) -> int:
    """Add a history row for each lead first seen or whose status changed; return how many.

    ``results`` is what :func:`upsert_leads` returned for ``leads``. ``changed_at`` is the
    lead's ``status_changed_at`` (when it entered the status, see
    :mod:`sync.pipeline.entry`), else ``now``; ``bases`` says how that time is known.
    """
    rows, spells = [], []
    for key, lead in latest_per_key(leads).items():
        result = results[key]
        if not (result.created or result.status_changed):
            continue
        if _starts_spell(result.previous_status, status_value(lead)):
            spells.append(result.lead_id)
        rows.append(
            (
                result.lead_id,
                result.previous_status,
                status_value(lead),
                lead.status_changed_at or now,
                now,
                run_id,
                (bases or {}).get(key),
            )
        )
    execute_many(session, _INSERT, _INSERT_NAMES, rows)
    if spells:
        refresh_disqualified_at(session, spells)
    return len(rows)


def _starts_spell(before: str | None, after: str | None) -> bool:
    """Whether a change from status ``before`` to ``after`` starts a spell in nurture or
    unqualified (:data:`SPELL_STARTS`)."""
    return after in DISQUALIFIED and before not in DISQUALIFIED


def refresh_disqualified_at(session: Session, lead_ids: Collection[int]) -> None:
    """Set ``leads.disqualified_at`` of ``lead_ids`` from their history: the latest time they
    entered nurture or unqualified from another status (:data:`SPELL_STARTS`), on the partial
    index that holds exactly those changes. Called wherever such a change is written."""
    entered = (
        select(func.max(StatusChange.changed_at))
        .where(StatusChange.lead_id == _LEADS.c.id, text(SPELL_STARTS))
        .scalar_subquery()
    )
    ids = set(lead_ids)
    for chunk in chunks(sorted(ids)):
        session.execute(
            update(_LEADS).where(_LEADS.c.id.in_(chunk)).values(disqualified_at=entered)
        )
    expire_held_rows(session, ids, ["disqualified_at"])


def first_seen_unverified(
    session: Session, source: str, entered_after: datetime, created_before: datetime
) -> list[tuple[int, str]]:
    """(lead id, external id) of the live leads of ``source`` without the reason of their
    status whose time in it is only an upper bound (first seen in it, never checked against
    the CRM's history) after ``entered_after``, and created before ``created_before`` (or at
    an unknown time): those for which an earlier, exact time could end the grace period."""
    later = aliased(StatusChange)
    changed_since = exists().where(
        later.lead_id == StatusChange.lead_id, later.id > StatusChange.id
    )
    query = (
        select(LeadRow.id, LeadRow.external_id)
        .join(StatusChange, StatusChange.lead_id == LeadRow.id)
        .where(
            LeadRow.source == source,
            LeadRow.is_deleted.is_(False),
            missing_reason(),
            LeadRow.status_changed_at > entered_after,
            or_(LeadRow.created_at.is_(None), LeadRow.created_at < created_before),
            StatusChange.basis == FIRST_SEEN,
            ~changed_since,
        )
        .order_by(LeadRow.id)
    )
    return [(lead_id, external_id) for lead_id, external_id in session.execute(query)]


def verify_first_seen(session: Session, entries: Mapping[int, datetime]) -> None:
    """Record that the leads ``entries`` (lead id -> time) of :func:`first_seen_unverified`
    entered their status at that time per the CRM's history (the caller updates the leads)."""
    if not entries:
        return
    statement = (
        update(_HISTORY)
        .where(_HISTORY.c.lead_id == bindparam("lead"), _HISTORY.c.basis == FIRST_SEEN)
        .values(changed_at=bindparam("when"), basis=CRM_HISTORY)
    )
    session.execute(statement, [{"lead": i, "when": when} for i, when in entries.items()])
    refresh_disqualified_at(session, entries.keys())
