"""The scheduler daemon's jobs: one APScheduler job per scheduled source, rebuilt from YAML.

Jobs live in memory only and are rebuilt from the config at every start: a persistent job store
would pickle job functions and break when code moves. Several workers may run the same config:
each cycle first takes the lease ``sync:<source>`` in the store (as ``sync``, ``resync``,
``approve`` and ``undo`` do), so no two runs of a source overlap, and whoever is free picks the
next cycle up.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.orm import Session, sessionmaker

from connectors.base import ConnectorError, LimitExhausted
from sync.config.models import Schedule
from sync.config.settings import Settings
from sync.lease import LeaseBusy, Worker
from sync.logs import context, redact, summarize
from sync.pipeline.cycle import lease_name, leased_sync
from sync.pipeline.engine import Engine, SyncRequest
from sync.pipeline.kept import KeptSources, SourcesClosed
from sync.pipeline.lifecycle import SourceReport
from sync.pipeline.sources import host_of, preload_connectors
from sync.store import runs

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]

#: a cycle that could not start on time (busy worker, sleeping laptop) still runs this late;
#: later than that it is skipped and the next fire time is used (a missed cycle loses nothing:
#: the cursor makes the next one pull what was missed)
MISFIRE_GRACE = timedelta(minutes=5)


#: cycles one worker runs at once by default (``leadloop run --parallel``)
DEFAULT_PARALLEL = 2


class Outcome(enum.Enum):
    """What one scheduled cycle did."""

    RAN = "ran"
    HELD = "held"  # ran; its writes exceed the change budget and wait for approval
    SKIPPED = "skipped"  # another worker holds the source's lease
    STOPPED = "stopped"  # the CRM's daily API allowance (or our share) is spent
    FAILED = "failed"


def job_id(source: str) -> str:
    """The stable job id (and lease name) of ``source``'s sync job."""
    return lease_name(source)


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
    parallel: int = DEFAULT_PARALLEL,
    run_feedback: Callable[[], object] | None = None,
) -> BaseScheduler:
    """A (not started) scheduler with one job ``sync:<source>`` per scheduled source, running
    at most ``parallel`` cycles at once (the other due ones wait for a free thread, and by
    then another worker may have taken them: that is how workers share the sources), and the
    job ``feedback`` calling ``run_feedback()`` when ``feedback.schedule`` is set.

    Each job calls ``run_source(name)``; at most one instance per source runs at a time, missed
    fire times collapse into one run, and a run later than :data:`MISFIRE_GRACE` is skipped.
    Given ``now``, interval jobs first run at ``now`` (a restarted daemon syncs at once), cron
    jobs at their next cron time.
    """
    scheduler = scheduler_cls(timezone=UTC, executors={"default": ThreadPoolExecutor(parallel)})
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
    from sync.pipeline.lifecycle import STALE_AFTER

    with sessions() as session:
        dead = runs.mark_stale_runs_dead(session, now, STALE_AFTER)
        session.commit()
    for run in dead:
        log.warning("run %s (%s) marked dead: %s", run.id, run.source, run.error)
    return len(dead)


Observer = Callable[[str, "Outcome", "SourceReport | None"], None]


class SourceRunner:
    """``run_source`` for the scheduler: one leased incremental cycle of a source.

    Never raises: a failed cycle is logged (secrets masked) and the next fire time tries again;
    a cycle whose writes exceed the change budget still pulls and evaluates, and its writes wait
    for approval. ``observe(name, outcome, report)`` hears every cycle (metrics).

    Each source's connector is built on its first cycle and kept for the next ones, logged-in
    session included (:mod:`sync.pipeline.kept`); :meth:`close` closes them all.
    """

    def __init__(
        self,
        settings: Settings,
        sessions: sessionmaker[Session],
        clock: Clock,
        worker: Worker,
        observe: Observer | None = None,
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.clock = clock
        self.worker = worker
        self.observe = observe or (lambda _name, _outcome, _report: None)
        # a skipped cycle (another worker's lease) or a spent allowance leaves the session fit
        self.sources = KeptSources(settings, clock, keep_on=(LeaseBusy, LimitExhausted))
        preload_connectors(settings)  # cycles start in parallel threads: import up front

    def close(self) -> None:
        """Close the kept connectors (when the daemon stops)."""
        closed = self.sources.close()
        log.info("closed the kept sessions of %s", ", ".join(closed) or "no source")

    def __call__(self, name: str) -> Outcome:
        """Run one cycle of source ``name`` unless another worker holds its lease."""
        outcome, report = self._attempt(name)
        self.observe(name, outcome, report)
        return outcome

    def _host(self, name: str) -> str:
        return host_of(self.settings.sources[name])

    def _attempt(self, name: str) -> tuple[Outcome, SourceReport | None]:
        engine = Engine(self.settings, self.sessions, self.clock, worker=self.worker)
        try:
            with context(source=name), self.sources.lend(name) as source:
                report = leased_sync(engine, source, SyncRequest())
                if report.counts.get("dead"):  # a write refused for good: a field edited?
                    self.sources.forget_schema(name)
        except (LeaseBusy, SourcesClosed) as exc:
            log.info("%s: skipped: %s", name, exc)
            return Outcome.SKIPPED, None
        except LimitExhausted as exc:
            log.warning("%s: cycle stopped (%s): %s", name, self._host(name), redact(str(exc)))
            return Outcome.STOPPED, engine.last_report
        except Exception as exc:  # the daemon outlives any one cycle
            text = redact(str(exc)) if isinstance(exc, ConnectorError) else summarize(exc)
            log.error("%s: cycle failed (%s): %s", name, self._host(name), text)
            log.debug("%s: cycle failed", name, exc_info=True)
            return Outcome.FAILED, engine.last_report
        counts = ", ".join(f"{key} {value}" for key, value in report.counts.items())
        log.info("%s: run %s succeeded: %s", name, report.run_id, counts)
        return (Outcome.HELD if report.held else Outcome.RAN), report


def next_fire_time(schedule: Schedule, last_start: datetime | None, now: datetime) -> datetime:
    """When a daemon runs the source next: its next cron time; for an interval, one interval
    after the last run started (now when overdue or never run)."""
    if schedule.cron is not None:
        fire = CronTrigger.from_crontab(schedule.cron, timezone=UTC).get_next_fire_time(None, now)
        assert fire is not None  # a crontab always fires again
        return fire
    assert schedule.every is not None
    return now if last_start is None else max(now, last_start + schedule.every)


def interval_of(schedule: Schedule, now: datetime) -> timedelta:
    """The time between two runs (for a cron schedule: between its next two fire times)."""
    if schedule.every is not None:
        return schedule.every
    first = next_fire_time(schedule, None, now)
    return next_fire_time(schedule, None, first) - first
