"""A run's life: its row started, its heartbeat beaten at every guard (and by a thread
between them), its final state.

A run ends succeeded, failed (an error), stopped (the CRM's daily API allowance ran out: not a
failure, the next cycle goes on) or aborted (Ctrl-C, SIGTERM, a lost lease). Its row keeps a
short, redacted error line; the full traceback goes to the log at debug level.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from connectors.base import LimitExhausted
from sync.lease import LeaseLost
from sync.logs import context, summarize
from sync.pipeline.changes import PlannedWrite
from sync.pipeline.writeback import Held
from sync.store import runs
from sync.store.errors import IllegalTransition
from sync.store.states import RunState

log = logging.getLogger(__name__)
#: a running run whose heartbeat is older than this belongs to a dead worker
STALE_AFTER = timedelta(minutes=10)
#: how often a thread beats a run's heartbeat besides its guards (a long wait inside one CRM
#: call, such as a Bulk job's polls, must not make the run look dead)
BEAT_EVERY = timedelta(minutes=2)
#: the lease check: renews the lease in the given session (which the caller commits next)
Guard = Callable[[Session], None]


@dataclass
class SourceReport:
    source: str | None  # None for a run over several sources (undo)
    run_id: int | None
    counts: dict[str, int] = field(default_factory=dict)
    planned: list[PlannedWrite] = field(default_factory=list)
    error: str | None = None
    held: Held | None = None  # writes the change budget holds for approval
    found_ids: set[str] = field(default_factory=set)  # records a resync --ids returned


Body = Callable[[Session, SourceReport, Guard], None]


class RunLost(Exception):
    """Another worker declared this run dead: stop at once."""


def outcome_of(exc: BaseException) -> RunState:
    """The final state of a run that ended with ``exc``."""
    if isinstance(exc, LimitExhausted):
        return RunState.STOPPED
    if isinstance(exc, LeaseLost | RunLost) or not isinstance(exc, Exception):
        return RunState.ABORTED  # Ctrl-C, SIGTERM, a lost lease
    return RunState.FAILED


def no_guard(_session: Session) -> None:
    """The guard of a run that holds no lease (tests, the demo)."""


class Lifecycle:
    """Runs a body as one recorded run of a source."""

    def __init__(self, sessions: sessionmaker[Session], clock: Callable[[], datetime], worker: str):
        self.sessions, self.clock, self.worker = sessions, clock, worker
        self.last: SourceReport | None = None  # the latest run's report, even when it raised

    def run(self, source: str | None, kind: str, body: Body, guard: Guard | None) -> SourceReport:
        """Start a run row, call ``body(session, report, check)``, record how it ended.

        ``check(session)`` is ``guard`` (the lease) plus a heartbeat, in the session the body
        commits next; the body calls it before every commit and every CRM write. Exceptions
        are recorded, then raised again.
        """
        with self.sessions() as session:
            runs.mark_stale_runs_dead(session, self.clock(), STALE_AFTER)
            run = runs.start_run(session, kind, self.clock(), source, self.worker)
            session.commit()
        report = self.last = SourceReport(source, run.id)
        check = self._checker(run.id, guard or no_guard)
        with (
            context(run_id=run.id, source=source),
            self._beating(run.id),
            self.sessions() as session,
        ):
            try:
                body(session, report, check)
            except BaseException as exc:
                session.rollback()
                report.error = summarize(exc)
                log.debug("run %s ended by %s", run.id, report.error, exc_info=True)
                self._finish(run.id, outcome_of(exc), report.counts, report.error)
                raise
        self._finish(run.id, RunState.SUCCEEDED, report.counts, None)
        return report

    def _finish(
        self, run_id: int, state: RunState, counts: dict[str, int], error: str | None
    ) -> None:
        with self.sessions() as session:
            try:
                runs.finish_run(session, run_id, state, self.clock(), counts, error)
                session.commit()
            except IllegalTransition:  # another worker already marked it dead
                log.warning("run %s was already ended by another worker", run_id)

    @contextmanager
    def _beating(self, run_id: int) -> Iterator[None]:
        """Beat the run's heartbeat every :data:`BEAT_EVERY` from a thread while the body runs.

        A guard beats it at every commit, but one CRM call can outlast :data:`STALE_AFTER`
        (a Bulk API job polled for minutes, then 50,000 records downloaded): without this,
        another worker's start would mark the run dead mid-call. A run marked dead all the
        same is not revived (the update requires it running); its next guard stops it.
        """
        done = threading.Event()

        def beat() -> None:
            while not done.wait(BEAT_EVERY.total_seconds()):
                try:
                    with self.sessions() as session:
                        runs.heartbeat(session, run_id, self.clock())
                        session.commit()
                except Exception as exc:  # the next beat or guard tries again
                    log.debug("run %s: heartbeat not beaten: %s", run_id, summarize(exc))

        beater = threading.Thread(target=beat, name=f"leadloop-run-{run_id}", daemon=True)
        beater.start()
        try:
            yield
        finally:
            done.set()
            beater.join()

    def _checker(self, run_id: int, guard: Guard) -> Guard:
        def check(session: Session) -> None:
            guard(session)
            if not runs.heartbeat(session, run_id, self.clock()):
                raise RunLost(f"run {run_id} was marked dead by another worker; stopping")

        return check
