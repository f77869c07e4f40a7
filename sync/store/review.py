"""Read-only views for the operator's verbs: ``outbox``, ``findings``, ``lead``, ``approve``."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sync.store.models import FindingRow, LeadRow, OutboxItem, StatusChange
from sync.store.states import CLAIMABLE_STATES, OutboxState

#: rows fetched per round trip when streaming a listing
_PAGE = 1000


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def outbox_rows(
    session: Session,
    sources: Sequence[str] = (),
    states: Sequence[OutboxState] = (),
    run_id: int | None = None,
    lead_id: int | None = None,
) -> Iterator[dict[str, Any]]:
    """Outbox items, oldest first, as plain rows (filters: sources, states, enqueuing run)."""
    query = select(OutboxItem).order_by(OutboxItem.id)
    if sources:
        query = query.where(OutboxItem.source.in_(sources))
    if states:
        query = query.where(OutboxItem.state.in_(states))
    if run_id is not None:
        query = query.where(OutboxItem.run_id == run_id)
    if lead_id is not None:
        query = query.where(OutboxItem.lead_id == lead_id)
    for item in session.scalars(query.execution_options(yield_per=_PAGE)):
        yield {
            "id": item.id,
            "source": item.source,
            "record": item.external_id,
            "field": item.crm_field,
            "old": item.old_value,
            "new": item.new_value,
            "policy": item.policy,
            "state": item.state.value,
            "run_id": item.run_id,
            "attempts": item.attempts,
            "error": item.last_error,
            "created_at": _iso(item.created_at),
            "sent_at": _iso(item.sent_at),
        }


def approval_watermark(session: Session, source: str, run_id: int) -> int | None:
    """The newest waiting item of ``source`` enqueued by run ``run_id`` or before it: an
    approval of that run releases every waiting item up to this id (None: nothing waits)."""
    return session.scalar(
        select(func.max(OutboxItem.id)).where(
            OutboxItem.source == source,
            OutboxItem.state.in_(CLAIMABLE_STATES),
            OutboxItem.run_id <= run_id,
        )
    )


def finding_rows(
    session: Session,
    sources: Sequence[str] = (),
    policies: Sequence[str] = (),
    external_id: str | None = None,
    include_resolved: bool = False,
) -> Iterator[dict[str, Any]]:
    """Findings (open ones unless ``include_resolved``), by lead, newest first."""
    query = (
        select(FindingRow, LeadRow.source, LeadRow.external_id)
        .join(LeadRow, LeadRow.id == FindingRow.lead_id)
        .order_by(FindingRow.id.desc())
    )
    if not include_resolved:
        query = query.where(FindingRow.resolved_at.is_(None))
    if sources:
        query = query.where(LeadRow.source.in_(sources))
    if policies:
        query = query.where(FindingRow.policy.in_(policies))
    if external_id is not None:
        query = query.where(LeadRow.external_id == external_id)
    for row, source, record in session.execute(query.execution_options(yield_per=_PAGE)):
        yield {
            "id": row.id,
            "source": source,
            "record": record,
            "policy": row.policy,
            "code": row.code,
            "field": row.field or None,
            "severity": row.severity,
            "message": row.message,
            "first_seen_at": _iso(row.first_seen_at),
            "last_seen_at": _iso(row.last_seen_at),
            "resolved_at": _iso(row.resolved_at),
        }


_LEAD_FIELDS = (
    "status", "raw_status", "nurture_reason", "unqualified_reason", "reason_detail", "email",
    "phone", "company", "industry", "country", "title", "lead_source", "campaign", "score",
    "wants_call", "owner", "created_at", "status_changed_at", "modified_at", "is_deleted",
    "merged_into", "converted_at", "review_flag", "first_seen_at", "updated_at",
)  # fmt: skip


def lead_detail(session: Session, source: str, external_id: str) -> dict[str, Any] | None:
    """One lead: its fields, status history, findings (open and resolved) and outbox items
    (None when the store has no such lead)."""
    lead = session.scalar(
        select(LeadRow).where(LeadRow.source == source, LeadRow.external_id == external_id)
    )
    if lead is None:
        return None
    fields = {name: getattr(lead, name) for name in _LEAD_FIELDS}
    history = session.scalars(
        select(StatusChange).where(StatusChange.lead_id == lead.id).order_by(StatusChange.id)
    )
    return {
        "source": source,
        "record": external_id,
        "fields": {k: _iso(v) if hasattr(v, "isoformat") else v for k, v in fields.items()},
        "history": [
            {
                "from": change.from_status,
                "to": change.to_status,
                "changed_at": _iso(change.changed_at),
                "observed_at": _iso(change.observed_at),
                "run_id": change.run_id,
            }
            for change in history
        ],
        "findings": list(finding_rows(session, [source], (), external_id, include_resolved=True)),
        "outbox": list(outbox_rows(session, [source], (), None, lead.id)),
    }
