"""Waiting in tests for something another thread or process does: never a fixed sleep.

(:func:`pace` is the one other use of time: a load test feeding work at a fixed rate.)

Wait on an event where the code under test can set one; otherwise poll the observable
condition with :func:`wait_until`, which returns as soon as it holds and fails, naming what
it waited for, once the deadline has passed.
"""

from __future__ import annotations

import time
from collections.abc import Callable

#: how often :func:`wait_until` looks again (the answer comes this fast; nothing waits on it)
POLL_INTERVAL = 0.01


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Return once ``condition()`` is true; raise AssertionError after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() >= deadline:
            raise AssertionError(f"gave up after {timeout:g} s waiting for {what}")
        time.sleep(POLL_INTERVAL)


def pace(seconds: float) -> None:
    """Let ``seconds`` pass between two rounds of a load that feeds work at a fixed rate (a
    soak test's edits): pacing, not synchronisation, which is what :func:`wait_until` is for."""
    time.sleep(seconds)
