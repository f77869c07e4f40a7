"""Run records with heartbeats.

A run row is the durable trace of one job execution: the worker beats its heartbeat while it
works; on the next start, a run whose heartbeat went stale is marked dead (its worker crashed).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from sync.store.errors import StoreError
from sync.store.models import Run
from sync.store.states import RunState

#: longest error text kept on a run (the full traceback belongs in the logs)
MAX_ERROR_CHARS = 4_000


def start_run(
    session: Session,
    kind: str,
    now: datetime,
    source: str | None = None,
    worker_id: str | None = None,
    dry_run: bool = False,
) -> Run:
    """Record a new run of ``kind`` and mark it running at ``now``; its id is set (flushed)."""
    run = Run(kind=kind, source=source, state=RunState.QUEUED, created_at=now, counts={})
    run.worker_id, run.dry_run = worker_id, dry_run
    run.transition(RunState.RUNNING, now)
    session.add(run)
    session.flush()
    return run


def get_run(session: Session, run_id: int) -> Run | None:
    """The run ``run_id`` (None when there is none)."""
    return session.get(Run, run_id)


def heartbeat(
    session: Session, run_id: int, now: datetime, counts: Mapping[str, int] | None = None
) -> bool:
    """Beat the run's heartbeat (and save its counts so far).

    Returns False when the run is no longer running, e.g. another worker marked it dead after
    a long stall: the caller must stop rather than carry on as a ghost.
    """
    values: dict[str, object] = {"heartbeat_at": now}
    if counts is not None:
        values["counts"] = dict(counts)
    statement = (
        update(Run)
        .where(Run.id == run_id, Run.state == RunState.RUNNING)
        .values(values)
        .execution_options(synchronize_session=False)
    )
    return session.execute(statement).rowcount == 1  # type: ignore[attr-defined]


def finish_run(
    session: Session,
    run_id: int,
    state: RunState,
    now: datetime,
    counts: Mapping[str, int] | None = None,
    error: str | None = None,
) -> Run:
    """Move the run to its final ``state`` (succeeded, failed or dead) with counts and error.

    Raises :class:`IllegalTransition` if the run is not running (e.g. already marked dead).
    """
    run = session.get(Run, run_id, populate_existing=True)
    if run is None:
        raise StoreError(f"run {run_id} does not exist")
    run.transition(state, now)
    if counts is not None:
        run.counts = dict(counts)
    if error is not None:
        run.error = error[:MAX_ERROR_CHARS]
    session.flush()
    return run


def mark_stale_runs_dead(session: Session, now: datetime, stale_after: timedelta) -> list[Run]:
    """Mark dead every running run whose heartbeat is older than ``stale_after``; return them."""
    cutoff = now - stale_after
    query = select(Run).where(Run.state == RunState.RUNNING, Run.heartbeat_at < cutoff)
    query = query.with_for_update(skip_locked=True).execution_options(populate_existing=True)
    stale = list(session.scalars(query))
    for run in stale:
        seen = run.heartbeat_at.isoformat() if run.heartbeat_at else "never"
        run.transition(RunState.DEAD, now)
        run.error = f"worker {run.worker_id or '?'} stopped beating: last heartbeat {seen}"
    session.flush()
    return stale


def last_success_start(session: Session, source: str) -> datetime | None:
    """When the last successful non-dry run of ``source`` started (None: never)."""
    return session.scalar(
        select(func.max(Run.started_at)).where(
            Run.source == source, Run.state == RunState.SUCCEEDED, Run.dry_run.is_(False)
        )
    )


def abandon_runs(session: Session, source: str, instance: str, now: datetime, why: str) -> int:
    """Mark dead the running runs of ``source`` by worker process ``instance`` (it lost the
    source's lease: it died, or stalled past the lease); return how many."""
    query = select(Run).where(
        Run.source == source, Run.state == RunState.RUNNING, Run.worker_id == instance
    )
    found = list(session.scalars(query.execution_options(populate_existing=True)))
    for run in found:
        run.transition(RunState.DEAD, now)
        run.error = why
    session.flush()
    return len(found)
