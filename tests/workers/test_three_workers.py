"""Three ``leadloop run`` workers on one PostgreSQL store, one SIGKILLed mid-cycle and
restarted, a manual ``sync`` thrown in: no source ever runs twice at once, no write is sent
twice, nothing is lost.

The emulators run in this process and log every field value they are asked to write; new
messy leads arrive while the workers run, so writes keep coming across many cycles.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from connectors.sandbox.runner import Sandbox, SandboxOptions
from sync.demo import write_config
from sync.store.db import make_engine, session_factory, upgrade
from sync.store.models import LeadRow, OutboxItem, Run
from sync.store.states import CLAIMABLE_STATES, RunState
from tests.workers.support import Workers, WriteLog

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

FEED_SECONDS, FEED_EVERY = 20.0, 1.5


@pytest.fixture
def box() -> Iterator[Sandbox]:
    sandbox = Sandbox(SandboxOptions(leads=1500, contacts=800)).start()
    yield sandbox
    sandbox.stop()


def _config(tmp_path: Path, box: Sandbox, store: str) -> Path:
    config = write_config(tmp_path, box.salesforce_url, box.hubspot_url, store)
    text = config.read_text(encoding="utf-8")
    for mapping in ("salesforce_lead", "hubspot_contact"):
        line = f"    mapping: {mapping}\n"
        text = text.replace(line, f"{line}    schedule: {{every: 1s}}\n")
    config.write_text(text, encoding="utf-8")
    return config


def _wait_for(condition: object, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def _running_worker(sessions: sessionmaker[Session], names: list[str]) -> str | None:
    """A worker of ours with a run under way that has already stored something."""
    with sessions() as session:
        for run in session.scalars(select(Run).where(Run.state == RunState.RUNNING)):
            name = (run.worker_id or "").split("@")[0]
            if name in names:
                return name
    return None


def _overlaps(sessions: sessionmaker[Session]) -> list[str]:
    found = []
    with sessions() as session:
        rows = session.execute(
            select(Run.source, Run.id, Run.started_at, Run.finished_at).order_by(Run.started_at)
        ).all()
    last: dict[str | None, tuple[int, datetime]] = {}
    for source, run_id, started, finished in rows:
        before = last.get(source)
        if before is not None and started is not None and started < before[1]:
            found.append(f"{source}: run {run_id} started before run {before[0]} ended")
        if finished is not None and (before is None or finished > before[1]):
            last[source] = (run_id, finished)
    return found


def test_given_three_workers_a_kill_and_a_manual_sync_then_no_overlap_no_double_write_no_loss(
    tmp_path: Path, box: Sandbox, postgres_url: str
) -> None:
    writes = WriteLog(box)
    engine = make_engine(postgres_url)
    upgrade(engine)
    sessions = session_factory(engine)
    workers = Workers(_config(tmp_path, box, postgres_url), tmp_path)
    names = ["w1", "w2", "w3"]
    try:
        for name in names:
            workers.start(name)
        killed = None
        manual: subprocess.Popen[bytes] | None = None
        started = time.monotonic()
        while (elapsed := time.monotonic() - started) < FEED_SECONDS:
            box.salesforce.add_leads(60)
            box.hubspot.add_contacts(30)
            if killed is None and elapsed > 4 and (killed := _running_worker(sessions, names)):
                workers.kill(killed)  # SIGKILL mid-cycle, holding a lease
                workers.start(killed)  # the same worker, restarted: takes its lease back
            if manual is None and elapsed > 8:
                manual = subprocess.Popen(workers.command("sync", "--wait", "60s"))
            time.sleep(FEED_EVERY)
        assert killed is not None and manual is not None
        assert manual.wait(120) == 0
        fed = datetime.now().astimezone()
        _wait_for(lambda: _caught_up(sessions, fed), 90, "a clean cycle of each source")
        codes = workers.stop_all()
    finally:
        workers.kill_all()

    assert codes == {name: 0 for name in names}
    assert _overlaps(sessions) == []
    assert writes.repeated() == {}
    assert writes.requests >= 5  # writes spread over many cycles and workers
    with sessions() as session:
        states = dict(session.execute(select(Run.state, func.count()).group_by(Run.state)).all())
        leads = dict(
            session.execute(select(LeadRow.source, func.count()).group_by(LeadRow.source)).all()
        )
        waiting = session.scalar(
            select(func.count())
            .select_from(OutboxItem)
            .where(OutboxItem.state.in_(CLAIMABLE_STATES))
        )
        workers_seen = {
            w.split("@")[0] for w in session.scalars(select(Run.worker_id).distinct()) if w
        }
    engine.dispose()
    assert set(states) <= {RunState.SUCCEEDED, RunState.DEAD}, states  # the killed run: dead
    assert states.get(RunState.DEAD, 0) <= 1
    assert leads == {
        "salesforce": len(box.salesforce.records()),
        "hubspot": len(box.hubspot.contacts.records),
    }
    assert waiting == 0
    assert len(workers_seen) >= 3  # the work was shared (three workers and the manual sync)


def _caught_up(sessions: sessionmaker[Session], fed: datetime) -> bool:
    """Each source has a successful run that started after the last leads arrived."""
    with sessions() as session:
        done = set(
            session.scalars(
                select(Run.source).where(Run.state == RunState.SUCCEEDED, Run.started_at > fed)
            )
        )
    return done >= {"salesforce", "hubspot"}
