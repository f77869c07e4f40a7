"""Run rows: start, heartbeat, finish; stale runs of crashed workers are marked dead."""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from sync.logs import redact
from sync.store.models import LeadRow, OutboxItem, Run
from sync.store.states import CLAIMABLE_STATES, RunState

#: a running run whose heartbeat is older than this belongs to a dead worker
STALE_AFTER = timedelta(minutes=10)


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def start(session: Session, kind: str, source: str | None, dry_run: bool, now: datetime) -> Run:
    """A new RUNNING run (flushed, so it has an id)."""
    mark_stale_dead(session, now)
    run = Run(kind=kind, source=source, dry_run=dry_run, created_at=now, worker_id=worker_id(),
              state=RunState.QUEUED,
              counts={})
    run.transition(RunState.RUNNING, now)
    session.add(run)
    session.flush()
    return run


def heartbeat(session: Session, run_id: int, now: datetime) -> None:
    session.execute(update(Run).where(Run.id == run_id).values(heartbeat_at=now))


def succeed(session: Session, run_id: int, counts: dict[str, int], now: datetime) -> None:
    run = session.get_one(Run, run_id)
    run.counts = dict(counts)
    run.transition(RunState.SUCCEEDED, now)


def fail(session: Session, run_id: int, error: str, counts: dict[str, int], now: datetime) -> None:
    run = session.get_one(Run, run_id)
    run.counts, run.error = dict(counts), redact(error)[:4000]
    run.transition(RunState.FAILED, now)


def mark_stale_dead(session: Session, now: datetime, stale_after: timedelta = STALE_AFTER) -> int:
    """Runs still RUNNING whose heartbeat stopped: their worker died. Returns how many."""
    stale = session.scalars(select(Run).where(
        Run.state == RunState.RUNNING, Run.heartbeat_at < now - stale_after)).all()
    for run in stale:
        run.error = f"worker {run.worker_id} stopped sending heartbeats"
        run.transition(RunState.DEAD, now)
    return len(stale)


def last_success_start(session: Session, source: str) -> datetime | None:
    """When the last successful non-dry run of ``source`` started (None: never)."""
    return session.scalar(select(func.max(Run.started_at)).where(
        Run.source == source, Run.state == RunState.SUCCEEDED, Run.dry_run.is_(False)))


def pending_records(session: Session, source: str, now: datetime) -> tuple[int, int]:
    """(records with writes waiting, leads of the source in the store)."""
    waiting = session.scalar(select(func.count(func.distinct(OutboxItem.lead_id))).where(
        OutboxItem.source == source, OutboxItem.state.in_(CLAIMABLE_STATES))) or 0
    total = session.scalar(select(func.count()).select_from(LeadRow).where(
        LeadRow.source == source)) or 0
    return waiting, total
