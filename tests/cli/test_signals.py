"""Ctrl-C and SIGTERM during a sync: the run is marked aborted, the exit code says why, and
no "Aborted!" or traceback reaches the user."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest
from sqlalchemy import select

from sync.store.models import Run
from sync.store.states import RunState
from tests.e2e.conftest import Harness
from tests.waiting import wait_until


def _running(harness: Harness) -> bool:
    with harness.sessions() as session:
        return session.scalar(select(Run.id).where(Run.state == RunState.RUNNING)) is not None


@pytest.mark.parametrize(
    ("signum", "code", "word"),
    [(signal.SIGTERM, 143, "terminated"), (signal.SIGINT, 130, "interrupted")],
)
def test_given_a_running_sync_when_signalled_then_its_run_is_aborted_and_the_exit_code_says_so(
    harness: Harness, signum: int, code: int, word: str
) -> None:
    harness.box.hubspot.faults.rate("*", "slow", 1.0, delay=0.5)  # still pulling when signalled
    env = {**os.environ, "LEADLOOP_CONFIG": str(harness.config)}
    process = subprocess.Popen(
        [sys.executable, "-m", "sync", "sync", "--source", "hubspot"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until(
            lambda: process.poll() is not None or _running(harness), 30, "the sync's run to start"
        )
        assert process.poll() is None, process.stderr
        process.send_signal(signum)
        _, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()

    assert process.returncode == code, err
    assert f"{word}: " in err and "marked aborted" in err
    assert "Traceback" not in err and "Aborted!" not in err
    with harness.sessions() as session:
        run = session.scalars(select(Run)).one()
    assert run.state is RunState.ABORTED and run.finished_at is not None
