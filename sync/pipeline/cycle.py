"""A source's cycle under its lease: whoever starts it (scheduler, sync, resync, approve, undo),
at most one run per source at a time, across every worker sharing the store."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from sync.lease import HeldLease, Takeover, Worker, hold_lease
from sync.pipeline.engine import Engine, SourceReport, SyncRequest
from sync.pipeline.sources import Source
from sync.store import runs


def lease_name(source: str) -> str:
    """The lease every run of ``source`` holds (also the scheduler's job id)."""
    return f"sync:{source}"


def _abandon(source: str, clock: Callable[[], datetime]) -> Takeover:
    def mark(session: Session, instance: str) -> None:
        why = f"worker {instance} lost the lease of source {source} (it died or stalled)"
        runs.abandon_runs(session, source, instance, clock(), why)

    return mark


@contextmanager
def source_lease(
    sessions: sessionmaker[Session],
    source: str,
    worker: Worker,
    clock: Callable[[], datetime],
    wait: timedelta = timedelta(0),
) -> Iterator[HeldLease]:
    """Hold ``source``'s lease (waiting up to ``wait``; else :class:`sync.lease.LeaseBusy`
    saying "source X is being synced by worker W since T"); the runs of the process it was
    taken from are marked dead."""
    with hold_lease(
        sessions,
        lease_name(source),
        worker,
        what=f"source {source} is being synced",
        wait=wait,
        on_takeover=_abandon(source, clock),
    ) as held:
        yield held


def leased_sync(
    engine: Engine,
    source: Source,
    request: SyncRequest,
    wait: timedelta = timedelta(0),
) -> SourceReport:
    """:meth:`Engine.sync` of ``source`` under its lease (see :func:`source_lease`), held by
    the engine's worker (so its run rows and the lease name the same process)."""
    with source_lease(engine.sessions, source.name, engine.worker, engine.clock, wait) as held:
        return engine.sync(source, request, held.ensure)
