"""Three ``leadloop run`` workers on one PostgreSQL store, one SIGKILLed mid-cycle and
restarted, a manual ``sync`` thrown in: no source ever runs twice at once, no write is sent
twice, nothing is lost.

The emulators run in this process and log every field value they are asked to write; people
keep editing records while the workers run (a status moved on, a reason left behind), so writes
keep coming across many cycles, and each edit must end corrected exactly once.
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

from connectors.sandbox.hubspot.app import SEARCH_INDEX_LAG
from connectors.sandbox.runner import Sandbox, SandboxOptions
from sync.demo import write_config
from sync.store.db import make_engine, session_factory, upgrade
from sync.store.models import LeadRow, OutboxItem, Run
from sync.store.states import CLAIMABLE_STATES, RunState
from tests.waiting import pace, wait_until
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
        edits = _Edits(box)
        while (elapsed := time.monotonic() - started) < FEED_SECONDS:
            edits.round(salesforce=20, hubspot=10)
            if killed is None and elapsed > 4 and (killed := _running_worker(sessions, names)):
                workers.kill(killed)  # SIGKILL mid-cycle, holding a lease
                workers.start(killed)  # the same worker, restarted: takes its lease back
            if manual is None and elapsed > 8:
                manual = subprocess.Popen(workers.command("sync", "--wait", "60s"))
            pace(FEED_EVERY)
        assert killed is not None and manual is not None
        assert manual.wait(120) == 0
        # HubSpot search shows the last edits only after its index lag: a cycle that started
        # earlier may rightly miss them, the next one catches them (the lookback)
        fed = datetime.now().astimezone() + SEARCH_INDEX_LAG
        wait_until(lambda: _caught_up(sessions, fed), 90, "a clean cycle of each source")
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
        buried = set(session.scalars(select(Run.worker_id).where(Run.state == RunState.DEAD)))
    engine.dispose()
    assert set(states) <= {RunState.SUCCEEDED, RunState.DEAD}, states  # the killed run: dead
    assert {w.split("@")[0] for w in buried if w} <= {killed}  # only the killed process's runs
    assert leads == {
        "salesforce": len(box.salesforce.records()),
        "hubspot": len(box.hubspot.contacts.records),
    }
    assert waiting == 0
    assert edits.left_behind() == []  # every edit was corrected (nothing lost)
    assert len(workers_seen) >= 3  # the work was shared (three workers and the manual sync)


class _Edits:
    """People's edits that leave a reason behind: each needs exactly one correction."""

    #: seeded records that need no correction of their own: an edit makes exactly one
    CLEAN = ("working_clean", "new_clean")

    def __init__(self, box: Sandbox) -> None:
        self.box = box
        sf = [r["Id"] for r in box.salesforce.records()]
        self.sf_free = [i for i in sf if box.salesforce.scenario_of(i) in self.CLEAN]
        hs = [str(i) for i in box.hubspot.contacts.records]
        self.hs_free = [i for i in hs if box.hubspot.scenario_of(i) in self.CLEAN]
        self.sf_edited: list[str] = []
        self.hs_edited: list[str] = []

    def round(self, salesforce: int, hubspot: int) -> None:
        for lead_id in self.sf_free[:salesforce]:
            change = {"Status": "Working - Contacted", "Unqualified_Reason__c": "No Budget Now"}
            self.box.salesforce.human_edit(lead_id, change)
            self.sf_edited.append(lead_id)
        for contact_id in self.hs_free[:hubspot]:
            change = {"hs_lead_status": "IN_PROGRESS", "unqualified_reason": "no_budget_now"}
            self.box.hubspot.human_edit(contact_id, change)
            self.hs_edited.append(contact_id)
        self.sf_free, self.hs_free = self.sf_free[salesforce:], self.hs_free[hubspot:]

    def left_behind(self) -> list[str]:
        """Edited records whose lingering reason is still there."""
        left = [i for i in self.sf_edited if self.box.salesforce.record(i)["Unqualified_Reason__c"]]
        for contact_id in self.hs_edited:
            if self.box.hubspot.contact(contact_id)["properties"].get("unqualified_reason"):
                left.append(contact_id)
        return left


def _caught_up(sessions: sessionmaker[Session], fed: datetime) -> bool:
    """Each source has a successful run that started after the last leads arrived."""
    with sessions() as session:
        done = set(
            session.scalars(
                select(Run.source).where(Run.state == RunState.SUCCEEDED, Run.started_at > fed)
            )
        )
    return done >= {"salesforce", "hubspot"}
