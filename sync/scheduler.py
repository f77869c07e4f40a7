"""The scheduler daemon's jobs: one APScheduler job per scheduled source, rebuilt from YAML.

Jobs live in memory only and are rebuilt from the config at every start: a persistent job store
would pickle job functions and break when code moves. Several workers may run the same config:
each cycle first takes the lease ``sync:<source>`` in the store, so on PostgreSQL no two workers
sync the same source at once, and whoever is free picks the next cycle up.
"""

from __future__ import annotations

import enum
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.orm import Session, sessionmaker

from sync.config.models import Schedule
from sync.config.settings import Settings
from sync.logs import redact
from sync.store import leases, runs

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]

#: a cycle that could not start on time (busy worker, sleeping laptop) still runs this late;
#: later than that it is skipped and the next fire time is used (a missed cycle loses nothing:
#: the cursor makes the next one pull what was missed)
MISFIRE_GRACE = timedelta(minutes=5)
#: how long a worker's claim on a source lasts without renewal; renewed while the cycle runs,
#: so it only matters when a worker dies holding it (another worker takes over after this)
LEASE_TTL = timedelta(minutes=15)
#: how often (wall time) a running cycle renews its lease; well inside LEASE_TTL
LEASE_RENEW_SECONDS = 60.0


class Outcome(enum.Enum):
    """What one scheduled cycle did."""

    RAN = "ran"
    SKIPPED = "skipped"  # another worker holds the source's lease
    FAILED = "failed"


def job_id(source: str) -> str:
    """The stable job id (and lease name) of ``source``'s sync job."""
    return f"sync:{source}"


def scheduled_sources(settings: Settings) -> list[str]:
    """Names of the sources that have a ``schedule``, sorted."""
    return sorted(name for name, source in settings.sources.items() if source.schedule)


def trigger_for(schedule: Schedule, now: datetime | None = None) -> BaseTrigger:
    """The APScheduler trigger of ``schedule``: fixed interval, or crontab in UTC.

    An interval counts from ``now`` (start of the daemon); without ``now`` APScheduler reads the
    clock itself.
    """
    if schedule.cron is not None:
        return CronTrigger.from_crontab(schedule.cron, timezone=UTC)
    assert schedule.every is not None  # Schedule validates exactly one of every/cron
    return IntervalTrigger(seconds=schedule.every.total_seconds(), start_date=now, timezone=UTC)


def build_scheduler(
    settings: Settings,
    run_source: Callable[[str], object],
    scheduler_cls: type[BaseScheduler] = BackgroundScheduler,
    now: datetime | None = None,
    run_feedback: Callable[[], object] | None = None,
) -> BaseScheduler:
    """A (not started) scheduler with one job ``sync:<source>`` per scheduled source, and the
    job ``feedback`` calling ``run_feedback()`` when ``feedback.schedule`` is set.

    Each job calls ``run_source(name)``; at most one instance per source runs at a time, missed
    fire times collapse into one run, and a run later than :data:`MISFIRE_GRACE` is skipped.
    Given ``now``, interval jobs first run at ``now`` (a restarted daemon syncs at once), cron
    jobs at their next cron time.
    """
    scheduler = scheduler_cls(timezone=UTC)
    feedback = settings.feedback.schedule
    if feedback is not None and run_feedback is not None:
        first = {"next_run_time": now} if now is not None and feedback.every else {}
        scheduler.add_job(
            run_feedback,
            trigger_for(feedback, now),
            id="feedback",
            name="feedback",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=int(MISFIRE_GRACE.total_seconds()),
            replace_existing=True,
            **first,
        )
    for name in scheduled_sources(settings):
        schedule = settings.sources[name].schedule
        assert schedule is not None
        # an interval trigger computes its first fire time when the scheduler starts, an
        # instant after its start_date, and lands one interval later: fire at `now` explicitly
        first = {"next_run_time": now} if now is not None and schedule.every else {}
        scheduler.add_job(
            run_source,
            trigger_for(schedule, now),
            args=[name],
            id=job_id(name),
            name=f"sync {name}",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=int(MISFIRE_GRACE.total_seconds()),
            replace_existing=True,
            **first,
        )
    return scheduler


def recover_stale_runs(sessions: sessionmaker[Session], now: datetime) -> int:
    """Mark dead the runs of crashed workers (stale heartbeat); return how many."""
    from sync.pipeline.engine import STALE_AFTER

    with sessions() as session:
        dead = runs.mark_stale_runs_dead(session, now, STALE_AFTER)
        session.commit()
    for run in dead:
        log.warning("run %s (%s) marked dead: %s", run.id, run.source, run.error)
    return len(dead)


class SourceRunner:
    """``run_source`` for the scheduler: one guarded, leased incremental cycle of a source.

    Never raises: a failed cycle is logged (secrets masked) and the next fire time tries again.
    """

    def __init__(
        self,
        settings: Settings,
        sessions: sessionmaker[Session],
        clock: Clock,
        holder: str,
        renew_seconds: float = LEASE_RENEW_SECONDS,
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.clock = clock
        self.holder = holder
        self.renew_seconds = renew_seconds

    def __call__(self, name: str) -> Outcome:
        """Run one cycle of source ``name`` unless another worker holds its lease."""
        try:
            with hold_lease(
                self.sessions, job_id(name), self.holder, self.clock, self.renew_seconds
            ) as held:
                if not held:
                    log.info("%s: skipped, another worker holds lease %s", name, job_id(name))
                    return Outcome.SKIPPED
                self._cycle(name)
                return Outcome.RAN
        except Exception as exc:  # the daemon outlives any one cycle
            log.error("%s: cycle failed: %s: %s", name, type(exc).__name__, redact(str(exc)))
            return Outcome.FAILED

    def _cycle(self, name: str) -> None:
        from sync.pipeline.engine import Engine, SyncRequest
        from sync.pipeline.sources import open_sources

        with open_sources(self.settings, [name]) as sources:
            report = Engine(self.settings, self.sessions, self.clock).sync(
                sources[name], SyncRequest()
            )
        counts = ", ".join(f"{key} {value}" for key, value in report.counts.items())
        log.info("%s: run %s succeeded: %s", name, report.run_id, counts)


def _claim(sessions: sessionmaker[Session], lease: str, holder: str, now: datetime) -> bool:
    with sessions() as session:
        held = leases.acquire_lease(session, lease, holder, now, LEASE_TTL)
        session.commit()
    return held


@contextmanager
def hold_lease(
    sessions: sessionmaker[Session],
    lease: str,
    holder: str,
    clock: Clock,
    renew_seconds: float = LEASE_RENEW_SECONDS,
) -> Iterator[bool]:
    """Hold ``lease`` for ``holder`` during the block, renewed every ``renew_seconds``.

    Yields False (and holds nothing) when another holder has it. Released on exit, even when
    the block raises.
    """
    if not _claim(sessions, lease, holder, clock()):
        yield False
        return
    done = threading.Event()

    def renew() -> None:
        while not done.wait(renew_seconds):
            try:
                if not _claim(sessions, lease, holder, clock()):
                    log.warning("lease %s was taken over by another worker", lease)
                    return
            except Exception as exc:  # retried at the next interval
                log.warning("lease %s not renewed: %s", lease, redact(str(exc)))

    renewer = threading.Thread(target=renew, daemon=True, name=f"lease {lease}")
    renewer.start()
    try:
        yield True
    finally:
        done.set()
        renewer.join()
        with sessions() as session:
            leases.release_lease(session, lease, holder)
            session.commit()
