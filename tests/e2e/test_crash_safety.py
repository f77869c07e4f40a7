"""Crash safety: SIGKILL the worker at chosen points; a clean rerun converges to the same CRM,
and ``undo`` restores exactly what it restores after a crash-free run.

The emulators run in this process; each sync runs as a real ``leadloop`` subprocess. A kill
point is the worker's n-th API request (or its n-th write), and the kill lands while the
emulator handles that request: either before the CRM applied it, or right after the CRM
accepted it and before the answer leaves. Each kill is checked to have hit a live worker at
its point. After every kill the next run must go on from where the last one committed, and at
the end the CRMs must hold exactly what one crash-free run produces: no correction lost, none
applied with a different value, every write that landed recorded as applied (so undo knows
it); undoing every run, newest first, must then leave both CRMs as a crash-free run's undo.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from connectors.sandbox.runner import Sandbox, SandboxOptions
from connectors.sandbox.server import App, Request, Response
from sync.config.settings import load_settings
from sync.demo import write_config
from sync.pipeline.sources import open_sources
from sync.pipeline.undo import undo_run
from sync.store.db import make_engine, session_factory
from sync.store.models import OutboxItem, OutboxState

pytestmark = pytest.mark.slow

LEADS, CONTACTS = 1500, 900
BULK_THRESHOLD = 1000  # under LEADS
KILLS = 32
SOURCES = ("hubspot", "salesforce")
#: the operations that change CRM records: Salesforce Collections (leads; tasks created) and
#: single-record PATCH (tasks changed, closed), HubSpot batch update
WRITES = frozenset({"composite", "composite_create", "sobject_patch", "batch_update"})
VOLATILE = {  # stamps and who saved last move with every write, undo included
    "LastModifiedById",
    "SystemModstamp",
    "LastModifiedDate",
    "lastmodifieddate",
    "hs_lastmodifieddate",
    "updatedAt",
}


def _leadloop(config: Path, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "LEADLOOP_CONFIG": str(config)}
    return subprocess.Popen(
        [sys.executable, "-m", "sync", "--log-level", "error", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


@dataclass(frozen=True)
class Work:
    """API requests and, of those, writes: answered so far, or needed by one clean run."""

    requests: int
    writes: int

    def __sub__(self, other: Work) -> Work:
        return Work(self.requests - other.requests, self.writes - other.writes)

    def bound(self, other: Work) -> Work:
        return Work(min(self.requests, other.requests), min(self.writes, other.writes))


def _answered(box: Sandbox, source: str) -> Work:
    """What the source's emulator has answered so far."""
    calls = box.salesforce.calls if source == "salesforce" else box.hubspot.calls
    return Work(sum(calls.values()), sum(n for op, n in calls.items() if op in WRITES))


def _run_clean(config: Path) -> None:
    process = _leadloop(config, "sync", "--allow-mass-change")
    _, err = process.communicate(timeout=180)
    assert process.returncode == 0, err.decode()


def _alive(pid: int) -> bool:
    """Whether the child is still running (not reaped, not a zombie), without reaping it."""
    try:
        return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None
    except ChildProcessError:  # already reaped by the thread waiting for it
        return False


def _await_death(pid: int) -> None:
    with contextlib.suppress(ChildProcessError):  # reaped already by the waiting thread
        os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)  # leaves the reaping to Popen


@dataclass(frozen=True)
class KillPoint:
    """The worker's ``nth`` request (counting writes only when ``writes``), killed before the
    emulator handles it or, when ``after``, right after the CRM applied it."""

    nth: int
    writes: bool
    after: bool


@dataclass(frozen=True)
class Kill:
    point: KillPoint
    operation: str  # the request the worker was waiting on
    alive: bool  # the worker was running when the signal went


class KillSwitch:
    """Wraps both emulators' request handling to SIGKILL the armed worker at its point."""

    def __init__(self, box: Sandbox) -> None:
        self._lock = threading.Lock()
        self._armed: tuple[int, KillPoint] | None = None
        self._seen = 0
        self.kills: list[Kill] = []
        for app in (box.salesforce, box.hubspot):
            app.handle = self._wrap(app, app.handle)  # type: ignore[method-assign]

    def arm(self, pid: int, point: KillPoint) -> None:
        with self._lock:
            self._armed, self._seen = (pid, point), 0

    def disarm(self) -> None:
        with self._lock:
            self._armed = None

    def _due(self, operation: str) -> tuple[int, KillPoint] | None:
        """The armed worker and its point when this request is the one to kill at."""
        with self._lock:
            if self._armed is None or (self._armed[1].writes and operation not in WRITES):
                return None
            self._seen += 1
            if self._seen < self._armed[1].nth:
                return None
            armed, self._armed = self._armed, None
            return armed

    def _kill(self, pid: int, point: KillPoint, operation: str) -> None:
        self.kills.append(Kill(point, operation, _alive(pid)))
        os.kill(pid, signal.SIGKILL)
        _await_death(pid)  # dead before the CRM's answer could reach it

    def _wrap(self, app: App, handle: Callable[[Request], Response]) -> Callable[..., Response]:
        def handle_or_kill(request: Request) -> Response:
            due = self._due(app.operation(request))
            if due is not None and not due[1].after:
                self._kill(*due, app.operation(request))
                return Response(drop=True)
            response = handle(request)
            if due is not None:
                self._kill(*due, app.operation(request))
            return response

        return handle_or_kill


def _crm_state(box: Sandbox) -> dict[str, Any]:
    sf = {
        row["Id"]: {k: v for k, v in row.items() if k not in VOLATILE}
        for row in box.salesforce.records()
    }
    hs = {}
    for contact_id in list(box.hubspot.contacts.records):
        contact = box.hubspot.contact(contact_id)
        hs[contact_id] = {k: v for k, v in contact["properties"].items() if k not in VOLATILE}
    return {"salesforce": sf, "hubspot": hs, "tasks": _tasks(box)}


def _tasks(box: Sandbox) -> dict[str, list[tuple[Any, ...]]]:
    """Each lead's tasks (the flag channel's and the reps' own), by what they say."""
    found: dict[str, list[tuple[Any, ...]]] = {}
    for task in box.salesforce.task_records():
        fields = ("Subject", "Description", "Status", "OwnerId")
        found.setdefault(task["WhoId"], []).append(tuple(task[f] for f in fields))
    return {who: sorted(tasks) for who, tasks in found.items()}


def _start(tmp: Path) -> tuple[Sandbox, Path]:
    box = Sandbox(SandboxOptions(leads=LEADS, contacts=CONTACTS)).start()
    config = write_config(tmp, box.salesforce_url, box.hubspot_url)
    # the first Salesforce sync reads the org through a Bulk 2.0 job: kills land in it too
    text = config.read_text(encoding="utf-8")
    first_sync = f"    pull: {{bulk_threshold: {BULK_THRESHOLD}}}\n    mapping: salesforce_lead\n"
    config.write_text(text.replace("    mapping: salesforce_lead\n", first_sync), encoding="utf-8")
    process = _leadloop(config, "db", "upgrade")
    assert process.wait(timeout=60) == 0
    return box, config


def _count(config: Path, *where: Any) -> int:
    """Outbox items of the config's store matching ``where``."""
    engine = make_engine(f"sqlite:///{config.parent / 'leadloop.db'}")
    with session_factory(engine)() as session:
        found = session.scalar(select(func.count()).select_from(OutboxItem).where(*where))
    engine.dispose()
    return found or 0


def _waiting_items(config: Path) -> int:
    """Items not settled: waiting, dead, or still recorded as in flight."""
    return _count(config, OutboxItem.state.not_in([OutboxState.SENT, OutboxState.CONFLICT]))


def _sent_not_applied(config: Path) -> int:
    """Items recorded as sent without having changed the CRM (the CRM already held them)."""
    return _count(config, OutboxItem.state == OutboxState.SENT, OutboxItem.applied.is_(False))


def _undo_every_run(config: Path) -> None:
    """``undo`` each run that changed a CRM, newest first, as an admin would."""
    settings = load_settings(config)
    engine = make_engine(settings.store.dsn)
    sessions = session_factory(engine)
    with sessions() as session:
        run_ids = sorted(
            {i for i in session.scalars(select(OutboxItem.sent_run_id)) if i is not None},
            reverse=True,
        )
    with open_sources(settings) as sources:
        for run_id in run_ids:
            report = undo_run(sessions, sources, run_id, lambda: datetime.now(UTC))
            assert not report.failed, report.failed
    engine.dispose()


@dataclass(frozen=True)
class Ending:
    """Where a sequence of runs left the CRMs, the store, and the CRMs after undo."""

    state: dict[str, Any]
    sent_not_applied: int
    undone: dict[str, Any]


def _end(box: Sandbox, config: Path) -> Ending:
    """Two clean runs (the second settles what the first wrote), then undo everything."""
    _run_clean(config)
    _run_clean(config)
    state, not_applied = _crm_state(box), _sent_not_applied(config)
    assert _waiting_items(config) == 0
    _undo_every_run(config)
    return Ending(state, not_applied, _crm_state(box))


def _kill_point(rng: random.Random, left: Work) -> KillPoint:
    """Any request of a source's run, or (one time in two, while writes are left) its first
    or second write: a kill right after a write leaves an accepted batch unrecorded."""
    if left.writes and rng.random() < 1 / 2:
        nth = rng.randint(1, min(2, left.writes))
        return KillPoint(nth, writes=True, after=rng.random() < 2 / 3)
    return KillPoint(rng.randint(1, left.requests), writes=False, after=rng.random() < 1 / 2)


def _crash_repeatedly(box: Sandbox, config: Path, left: dict[str, Work]) -> list[Kill]:
    """Sync one source after the other until KILLS kills have landed. A run that ends before
    its kill point (less work is left than the point assumed) finishes cleanly, and what it
    needed bounds that source's later points."""
    switch, rng = KillSwitch(box), random.Random(20261122)
    for attempt in range(3 * KILLS):
        if len(switch.kills) == KILLS:
            return switch.kills
        source = SOURCES[attempt % len(SOURCES)]
        point, before = _kill_point(rng, left[source]), _answered(box, source)
        process = _leadloop(config, "sync", "--source", source, "--allow-mass-change")
        switch.arm(process.pid, point)
        _, err = process.communicate(timeout=180)
        switch.disarm()
        if process.returncode == 0:
            left[source] = left[source].bound(_answered(box, source) - before)
        else:
            assert process.returncode == -signal.SIGKILL, err.decode()
    raise AssertionError(f"only {len(switch.kills)} of {KILLS} kills landed")


def _reference(directory: Path) -> tuple[Ending, dict[str, Work]]:
    """A crash-free run's ending, and the work one run needs per source (for kill points)."""
    box, config = _start(directory)
    try:
        _run_clean(config)
        work = {source: _answered(box, source) for source in SOURCES}
        return _end(box, config), work
    finally:
        box.stop()


def test_given_sigkills_at_chosen_requests_when_a_clean_run_follows_then_the_crms_converge(
    tmp_path: Path,
) -> None:
    expected, work = _reference(tmp_path / "reference")

    box, config = _start(tmp_path / "crashy")
    try:
        kills = _crash_repeatedly(box, config, work)
        actual = _end(box, config)
    finally:
        box.stop()

    assert [k for k in kills if not k.alive] == []  # every kill hit a running worker
    assert any(k.point.after and k.operation in WRITES for k in kills), kills
    assert actual.state == expected.state
    assert actual.sent_not_applied == expected.sent_not_applied  # every landed write known
    assert actual.undone == expected.undone
