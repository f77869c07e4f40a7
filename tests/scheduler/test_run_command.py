"""``leadloop run`` as a user runs it: --once, a config without schedules, a graceful stop."""

from __future__ import annotations

import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select

from sync.cli import cli
from sync.demo import write_config
from sync.store.models import Run
from sync.store.states import RunState
from tests.scheduler.conftest import Harness, schedule
from tests.waiting import wait_until


def runs_in(harness: Harness, state: RunState) -> list[str]:
    with harness.sessions() as session:
        return sorted(
            source or "" for source in session.scalars(select(Run.source).where(Run.state == state))
        )


def succeeded_runs(harness: Harness) -> list[str]:
    return runs_in(harness, RunState.SUCCEEDED)


def running_runs(harness: Harness) -> list[str]:
    return runs_in(harness, RunState.RUNNING)


def test_given_two_scheduled_sources_when_run_once_then_both_sync_and_it_exits_0(
    harness: Harness,
) -> None:
    schedule(harness.config, salesforce="{every: 15m}", hubspot='{cron: "0 * * * *"}')

    result = CliRunner().invoke(cli, ["run", "-c", str(harness.config), "--once"])

    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == ["hubspot: ran", "salesforce: ran"]
    assert succeeded_runs(harness) == ["hubspot", "salesforce"]
    assert harness.writes() > 0


def test_given_a_failing_source_when_run_once_then_the_other_still_runs_and_it_exits_1(
    harness: Harness,
) -> None:
    schedule(harness.config, salesforce="{every: 15m}", hubspot="{every: 15m}")
    harness.box.salesforce.faults.script("*", "invalid_session", times=3)  # login refused

    result = CliRunner().invoke(cli, ["run", "-c", str(harness.config), "--once"])

    assert result.exit_code == 1
    assert result.stdout.splitlines() == ["hubspot: ran", "salesforce: failed"]
    assert "cycle failed for salesforce" in result.stderr
    assert succeeded_runs(harness) == ["hubspot"]


def test_given_no_source_has_a_schedule_when_run_then_it_exits_2_naming_the_schedule_key(
    tmp_path: Path,
) -> None:
    config = write_config(tmp_path, "http://127.0.0.1:9", "http://127.0.0.1:9")

    result = CliRunner().invoke(cli, ["run", "-c", str(config)])

    assert result.exit_code == 2
    assert "no source has a schedule" in result.stderr
    assert "`schedule: {every: 15m}`" in result.stderr and str(config) in result.stderr


def _lines(stream: object) -> queue.Queue[str]:
    found: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        for line in stream:  # type: ignore[attr-defined]
            found.put(line)

    threading.Thread(target=pump, daemon=True).start()
    return found


def _wait_for(lines: queue.Queue[str], text: str, seen: list[str], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not any(text in line for line in seen):
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"no {text!r} in the daemon's log:\n{''.join(seen)}"
        try:
            seen.append(lines.get(timeout=remaining))
        except queue.Empty:
            continue


def test_given_a_running_daemon_when_sigterm_arrives_then_the_cycle_finishes_and_it_exits_0(
    harness: Harness,
) -> None:
    """The interval job fires at start; a SIGTERM mid-cycle waits for it, then exits 0."""
    schedule(harness.config, hubspot="{every: 1h}")
    harness.box.hubspot.faults.script("*", "slow", delay=1.0)  # still running at SIGTERM
    daemon = subprocess.Popen(
        [sys.executable, "-m", "sync", "run", "-c", str(harness.config)],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    seen: list[str] = []
    try:
        lines = _lines(daemon.stderr)
        _wait_for(lines, "scheduled sync:hubspot", seen, 20)
        wait_until(lambda: running_runs(harness) == ["hubspot"], 20, "the hubspot cycle to start")
        daemon.send_signal(signal.SIGTERM)  # mid-cycle: its first request takes a second
        assert daemon.wait(30) == 0, "".join(seen)
    finally:
        if daemon.poll() is None:
            daemon.kill()
    _wait_for(lines, "closed the kept sessions", seen, 5)
    log = "".join(seen)
    assert log.index("stopping: waiting") < log.index("hubspot: run 1 succeeded")
    assert log.index("stopped") < log.index("closed the kept sessions of hubspot")
    assert succeeded_runs(harness) == ["hubspot"]
