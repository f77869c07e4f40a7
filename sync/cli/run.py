"""``leadloop run``: the scheduler daemon (or, with ``--once``, one pass over its jobs)."""

from __future__ import annotations

import logging
import signal
import threading
from pathlib import Path
from typing import Any

import click

from sync.cli.base import (
    EXIT_FAILED,
    EXIT_HELD,
    EXIT_STOPPED,
    ConfigProblem,
    config_option,
    guarded,
    load,
)

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
@click.option(
    "--worker-id",
    envvar="LEADLOOP_WORKER_ID",
    help="This worker's stable name (default: $LEADLOOP_WORKER_ID, else the host name); "
    "a restarted worker takes its own leases back at once. Give each worker its own.",
)
@click.option(
    "--parallel",
    type=click.IntRange(1, 32),
    default=2,
    show_default=True,
    help="Cycles this worker runs at once; due sources beyond that wait for a free slot, and "
    "other workers take them meanwhile.",
)
@click.option(
    "--metrics-port",
    type=click.IntRange(1, 65535),
    help="Serve Prometheus metrics on /metrics and a health check on /healthz at this port.",
)
@click.option(
    "--metrics-host",
    default="127.0.0.1",
    show_default=True,
    help="Address to serve metrics on (0.0.0.0: every interface).",
)
@click.option(
    "--unhealthy-after",
    type=click.IntRange(1),
    default=3,
    show_default=True,
    help="/healthz fails when a scheduled source has not succeeded for this many intervals.",
)
@guarded
def run_command(
    config_path: Path | None,
    once: bool,
    worker_id: str | None,
    parallel: int,
    metrics_port: int | None,
    metrics_host: str,
    unhealthy_after: int,
) -> None:
    """Run the scheduler: each source with a `schedule:` syncs on its interval or cron (UTC),
    and the feedback step runs on `feedback.schedule`.

    Jobs are rebuilt from the config at every start, one run per source at a time across every
    worker (and every `sync`, `resync`, `approve` and `undo`): each cycle holds the source's
    lease in the store. Writes above limits.change_budget wait for `leadloop approve RUN_ID`
    while the cycles go on pulling and evaluating. SIGTERM or Ctrl+C lets the running cycles
    finish, then exits 0.

    Each source's logged-in session is kept in memory from cycle to cycle (never in the
    store), so a cycle with nothing to do costs one query, without a login.
    """
    from sync.cli.base import open_store, utc_now
    from sync.feedback.job import FeedbackRunner
    from sync.lease import Worker
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
    worker = Worker.current(worker_id)
    with open_store(settings) as sessions:
        recover_stale_runs(sessions, utc_now())
        observe = None
        if metrics_port is not None:
            from sync.metrics import MetricsServer

            server = MetricsServer(settings, sessions, metrics_host, metrics_port, unhealthy_after)
            observe = server.observe
        runner = SourceRunner(settings, sessions, utc_now, worker, observe)
        log.info("worker %s (%s) starting", worker.name, worker.instance)
        feedback = None
        if settings.feedback.schedule is not None:
            feedback = FeedbackRunner(settings, sessions, utc_now, worker)
        try:
            if once:
                _run_once(runner, names, feedback)
            else:
                _serve(settings, runner, parallel, feedback)
        finally:
            runner.close()  # the kept connectors: sessions live in this process only


def _run_once(runner: Any, names: list[str], feedback: Any) -> None:
    from sync.scheduler import Outcome

    outcomes = {name: runner(name) for name in names}
    if feedback is not None:
        outcomes["feedback"] = feedback()  # after the syncs: it aggregates what they stored
    for name, outcome in outcomes.items():
        click.echo(f"{name}: {outcome.value}")
    codes = {Outcome.FAILED: EXIT_FAILED, Outcome.STOPPED: EXIT_STOPPED, Outcome.HELD: EXIT_HELD}
    for outcome, code in codes.items():
        failed = [name for name, seen in outcomes.items() if seen is outcome]
        if failed:
            click.echo(
                f"cycle {outcome.value} for {', '.join(failed)} (see the log above)", err=True
            )
            raise click.exceptions.Exit(code)


def _serve(settings: Any, runner: Any, parallel: int, feedback: Any) -> None:
    """Run the scheduler until SIGTERM/SIGINT, then let running cycles finish."""
    from sync.cli.base import utc_now
    from sync.scheduler import build_scheduler

    stop = threading.Event()
    previous = {
        sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGTERM, signal.SIGINT)
    }
    scheduler = build_scheduler(
        settings, runner, now=utc_now(), parallel=parallel, run_feedback=feedback
    )
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
