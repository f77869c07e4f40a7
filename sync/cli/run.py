"""``leadloop run``: the scheduler daemon (or, with ``--once``, one pass over its jobs)."""

from __future__ import annotations

import logging
import signal
import threading
from pathlib import Path
from typing import Any

import click

from sync.cli.base import ConfigProblem, RunFailed, config_option, guarded, load

log = logging.getLogger("leadloop")

#: how often (seconds) the idle main thread wakes to check for a stop request
_POLL_SECONDS = 0.5


@click.command("run")
@config_option
@click.option(
    "--once",
    is_flag=True,
    help="Run every scheduled source once, then exit (for cron or systemd timers).",
)
@guarded
def run_command(config_path: Path | None, once: bool) -> None:
    """Run the scheduler: each source with a `schedule:` syncs on its interval or cron (UTC),
    and the feedback step runs on `feedback.schedule`.

    Jobs are rebuilt from the config at every start, one instance per source at a time;
    several workers on one PostgreSQL store share the work through leases. SIGTERM or Ctrl+C
    lets the running cycles finish, then exits 0.
    """
    from sync.cli.base import open_store, utc_now
    from sync.feedback.job import FeedbackRunner
    from sync.pipeline.engine import worker_id
    from sync.scheduler import SourceRunner, recover_stale_runs, scheduled_sources

    settings = load(config_path)
    names = scheduled_sources(settings)
    if not names and settings.feedback.schedule is None:
        where = settings.path or "the config"
        raise ConfigProblem(
            f"{where}: no source has a schedule, so `leadloop run` has nothing to do; add "
            '`schedule: {every: 15m}` (or `schedule: {cron: "*/15 * * * *"}`) under '
            "sources.<name>, or use `leadloop sync` for a single cycle"
        )
    with open_store(settings) as sessions:
        recover_stale_runs(sessions, utc_now())
        runner = SourceRunner(settings, sessions, utc_now, worker_id())
        feedback = None
        if settings.feedback.schedule is not None:
            feedback = FeedbackRunner(settings, sessions, utc_now, worker_id())
        if once:
            _run_once(runner, names, feedback)
        else:
            _serve(settings, runner, feedback)


def _run_once(runner: Any, names: list[str], feedback: Any) -> None:
    from sync.scheduler import Outcome

    outcomes = {name: runner(name) for name in names}
    if feedback is not None:
        outcomes["feedback"] = feedback()  # after the syncs: it aggregates what they stored
    for name, outcome in outcomes.items():
        click.echo(f"{name}: {outcome.value}")
    failed = [name for name, outcome in outcomes.items() if outcome is Outcome.FAILED]
    if failed:
        raise RunFailed(f"cycle failed for {', '.join(failed)} (see the log above)")


def _serve(settings: Any, runner: Any, feedback: Any) -> None:
    """Run the scheduler until SIGTERM/SIGINT, then let running cycles finish."""
    from sync.cli.base import utc_now
    from sync.scheduler import build_scheduler

    stop = threading.Event()
    previous = {
        sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGTERM, signal.SIGINT)
    }
    scheduler = build_scheduler(settings, runner, now=utc_now(), run_feedback=feedback)
    try:
        scheduler.start()
        for job in scheduler.get_jobs():
            log.info("scheduled %s: %s, next at %s", job.id, job.trigger, job.next_run_time)
        while not stop.wait(_POLL_SECONDS):
            pass
        log.info("stopping: waiting for running cycles to finish")
        scheduler.shutdown(wait=True)
        log.info("stopped")
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
