"""What ``leadloop status`` shows: per source cursor, recent runs, outbox and findings."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sync.store.models import Finding, LeadRow, OutboxItem, Run, SyncCursor


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _runs(session: Session, source: str | None, limit: int) -> list[dict[str, Any]]:
    query = select(Run).order_by(Run.id.desc()).limit(limit)
    if source is not None:
        query = query.where(Run.source == source)
    return [
        {
            "id": r.id,
            "kind": r.kind,
            "state": r.state.value,
            "dry_run": r.dry_run,
            "started_at": _iso(r.started_at),
            "finished_at": _iso(r.finished_at),
            "counts": r.counts,
            "error": r.error,
        }
        for r in session.scalars(query)
    ]


def _grouped(session: Session, column: Any, source: str, model: Any, *where: Any) -> dict[str, int]:
    rows = session.execute(
        select(column, func.count()).select_from(model).where(*where).group_by(column)
    ).all()
    return {str(key): count for key, count in rows}


def source_status(session: Session, source: str) -> dict[str, Any]:
    cursor = session.get(SyncCursor, (source, "leads"))
    open_findings = (
        Finding.resolved_at.is_(None),
        Finding.lead_id.in_(select(LeadRow.id).where(LeadRow.source == source)),
    )
    return {
        "source": source,
        "leads": session.scalar(
            select(func.count()).select_from(LeadRow).where(LeadRow.source == source)
        )
        or 0,
        "cursor": None
        if cursor is None
        else {
            "modstamp": _iso(cursor.modstamp),
            "record_id": cursor.record_id,
            "updated_at": _iso(cursor.updated_at),
        },
        "runs": _runs(session, source, 5),
        "outbox": _grouped(
            session, OutboxItem.state, source, OutboxItem, OutboxItem.source == source
        ),
        "findings": _grouped(session, Finding.policy, source, Finding, *open_findings),
    }


def status(session: Session, sources: list[str]) -> dict[str, Any]:
    """Everything ``leadloop status`` prints, as JSON-ready data."""
    return {
        "sources": [source_status(session, name) for name in sources],
        "other_runs": [r for r in _runs(session, None, 5) if r["kind"] == "undo"],
    }
