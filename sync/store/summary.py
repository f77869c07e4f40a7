"""Read-only summaries of the store: what ``leadloop status`` and ``leadloop demo`` print."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sync.store.models import FindingRow, LeadRow, OutboxItem, Run, SyncCursor
from sync.store.states import OutboxState, RunState


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def recent_runs(session: Session, source: str | None, limit: int) -> list[dict[str, Any]]:
    """The latest ``limit`` runs (of ``source``, or of every source), newest first."""
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


def _grouped(session: Session, column: Any, model: Any, *where: Any) -> dict[str, int]:
    rows = session.execute(
        select(column, func.count()).select_from(model).where(*where).group_by(column)
    ).all()
    return {str(key): count for key, count in rows}


def source_summary(session: Session, source: str, stream: str) -> dict[str, Any]:
    """Leads, cursor, recent runs, outbox by state and open findings by policy of ``source``."""
    cursor = session.get(SyncCursor, (source, stream))
    open_findings = (
        FindingRow.resolved_at.is_(None),
        FindingRow.lead_id.in_(select(LeadRow.id).where(LeadRow.source == source)),
    )
    leads = select(func.count()).select_from(LeadRow).where(LeadRow.source == source)
    return {
        "source": source,
        "leads": session.scalar(leads) or 0,
        "cursor": None
        if cursor is None
        else {
            "modstamp": _iso(cursor.modstamp),
            "record_id": cursor.record_id,
            "updated_at": _iso(cursor.updated_at),
        },
        "runs": recent_runs(session, source, 5),
        "outbox": _grouped(session, OutboxItem.state, OutboxItem, OutboxItem.source == source),
        "findings": _grouped(session, FindingRow.policy, FindingRow, *open_findings),
    }


def leads_per_source(session: Session) -> Counter[str]:
    """How many leads each source has in the store."""
    rows = session.execute(select(LeadRow.source, func.count()).group_by(LeadRow.source))
    return Counter({source: count for source, count in rows})


def outbox_outcomes(session: Session) -> list[tuple[str, str, str, OutboxState]]:
    """(source, policy, canonical field, state) of every outbox item."""
    rows = session.execute(
        select(OutboxItem.source, OutboxItem.policy, OutboxItem.field, OutboxItem.state)
    )
    return [(source, policy, field, state) for source, policy, field, state in rows]


def open_findings_per_source(session: Session) -> list[tuple[str, str]]:
    """(source, policy) of every open finding."""
    rows = session.execute(
        select(LeadRow.source, FindingRow.policy)
        .join(LeadRow, LeadRow.id == FindingRow.lead_id)
        .where(FindingRow.resolved_at.is_(None))
    )
    return [(source, policy) for source, policy in rows]


def outbox_by_state(session: Session) -> dict[tuple[str, str], int]:
    """(source, state) -> how many outbox items."""
    rows = session.execute(
        select(OutboxItem.source, OutboxItem.state, func.count()).group_by(
            OutboxItem.source, OutboxItem.state
        )
    )
    return {(source, str(state)): count for source, state, count in rows}


def last_successes(session: Session) -> dict[str, datetime]:
    """Source -> when its last successful (non-dry) run finished."""
    rows = session.execute(
        select(Run.source, func.max(Run.finished_at))
        .where(Run.state == RunState.SUCCEEDED, Run.source.is_not(None), Run.dry_run.is_(False))
        .group_by(Run.source)
    )
    return {source: aware(at) for source, at in rows if source and at is not None}


def aware(value: datetime) -> datetime:
    # max() over a UTCDateTime column comes back untyped on SQLite (text, or a naive datetime)
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def api_usage(session: Session, source: str, since: datetime) -> dict[str, Any]:
    """API calls of ``source``'s runs started since ``since`` (today), its last finished run's
    cost (:func:`run_cost`; dry runs keep no row), and the CRM's allowance as the latest run
    that saw it reported it."""
    rows = session.execute(
        select(Run.started_at, Run.counts)
        .where(Run.source == source, Run.started_at >= since)
        .order_by(Run.id)
    ).all()
    latest = session.execute(
        select(Run.counts, Run.finished_at, Run.id, Run.kind)
        .where(Run.source == source, Run.finished_at.is_not(None))
        .order_by(Run.id.desc())
        .limit(20)
    ).all()
    reported = next(((c, at) for c, at, _, _ in latest if c and "api_limit" in c), None)
    last_run = run_cost(latest[0].id, latest[0].kind, latest[0].counts) if latest else None
    return {
        "calls_today": sum(int((counts or {}).get("api_calls", 0)) for _, counts in rows),
        "calls_last_run": last_run["calls"] if last_run else None,
        "last_run": last_run,
        "org_limit": reported[0]["api_limit"] if reported else None,
        "org_remaining": (
            reported[0]["api_limit"] - reported[0].get("api_used", 0) if reported else None
        ),
        "reported_at": _iso(reported[1]) if reported else None,
    }


#: run counts that say a run changed something: leads stored (new or changed), findings,
#: corrections queued, fields written to the CRM
CHANGES = ("stored", "findings", "corrections", "sent")
#: prefix of the run counts that hold its API calls per operation (``api_calls.login``)
CALLS_BY = "api_calls."


def run_cost(run_id: int, kind: str, counts: dict[str, Any] | None) -> dict[str, Any]:
    """A finished run's API calls, by operation, the records it read, and whether it changed
    anything (see :data:`CHANGES`)."""
    counts = counts or {}
    return {
        "id": run_id,
        "kind": kind,
        "calls": int(counts.get("api_calls", 0)),
        "by_operation": {
            key.removeprefix(CALLS_BY): int(value)
            for key, value in sorted(counts.items())
            if key.startswith(CALLS_BY)
        },
        "read": int(counts.get("pulled", 0)),
        "changed": any(int(counts.get(key, 0)) for key in CHANGES),
    }


def last_start(session: Session, source: str) -> datetime | None:
    """When the latest non-dry run of ``source`` started (None: never)."""
    return session.scalar(
        select(func.max(Run.started_at)).where(Run.source == source, Run.dry_run.is_(False))
    )
