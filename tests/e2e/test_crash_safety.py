"""Crash safety: SIGKILL the worker at random points; a clean rerun converges to the same CRM.

The emulators run in this process; each sync runs as a real ``leadloop`` subprocess that is
killed after a random delay spanning pull, evaluation and write-back. After every kill the next
run must go on from where the last one committed, and at the end the CRMs must hold exactly what
one crash-free run produces: no correction lost, none applied with a different value.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from connectors.sandbox.runner import Sandbox, SandboxOptions
from sync.demo import write_config
from sync.store.db import make_engine, session_factory
from sync.store.models import OutboxItem, OutboxState
from tests.e2e.portal import map_status_changed_at

pytestmark = pytest.mark.slow

LEADS, CONTACTS = 1500, 900
KILLS = 32
VOLATILE = {
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


def _run_clean(config: Path) -> float:
    started = time.monotonic()
    process = _leadloop(config, "sync", "--allow-mass-change")
    _, err = process.communicate(timeout=180)
    assert process.returncode == 0, err.decode()
    return time.monotonic() - started


def _crm_state(box: Sandbox) -> dict[str, Any]:
    sf = {
        row["Id"]: {k: v for k, v in row.items() if k not in VOLATILE}
        for row in box.salesforce.records()
    }
    hs = {}
    for contact_id in list(box.hubspot.contacts.records):
        contact = box.hubspot.contact(contact_id)
        hs[contact_id] = {k: v for k, v in contact["properties"].items() if k not in VOLATILE}
    return {"salesforce": sf, "hubspot": hs}


# realism-off(issue 9.1): without a status-changed date, require_reason restarts its grace from
# the modstamp its own flag write moved, so the extra runs a crash causes clear flags that a
# crash-free run keeps (60 HubSpot review flags differed in one run of this test)
QUIRKS_OFF = frozenset({"hubspot.no_status_changed_at"})


def _start(tmp: Path) -> tuple[Sandbox, Path]:
    box = Sandbox(SandboxOptions(leads=LEADS, contacts=CONTACTS, quirks_off=QUIRKS_OFF)).start()
    config = write_config(tmp, box.salesforce_url, box.hubspot_url)
    map_status_changed_at(config)
    process = _leadloop(config, "db", "upgrade")
    assert process.wait(timeout=60) == 0
    return box, config


def test_given_random_sigkills_when_a_clean_run_follows_then_the_crms_equal_a_crash_free_run(
    tmp_path: Path,
) -> None:
    reference_box, reference_config = _start(tmp_path / "reference")
    try:
        duration = _run_clean(reference_config)
        _run_clean(reference_config)  # the second pass settles what the first wrote
        expected = _crm_state(reference_box)
    finally:
        reference_box.stop()

    box, config = _start(tmp_path / "crashy")
    rng = random.Random(20261122)
    try:
        for _ in range(KILLS):
            process = _leadloop(config, "sync", "--allow-mass-change")
            time.sleep(rng.uniform(0.05, duration))
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
            process.wait(timeout=60)
        _run_clean(config)
        _run_clean(config)
        actual = _crm_state(box)
    finally:
        box.stop()

    assert actual == expected
    engine = make_engine(f"sqlite:///{tmp_path / 'crashy' / 'leadloop.db'}")
    with session_factory(engine)() as session:
        waiting = session.scalar(
            select(func.count())
            .select_from(OutboxItem)
            .where(OutboxItem.state.in_([OutboxState.PENDING, OutboxState.RETRY, OutboxState.DEAD]))
        )
    engine.dispose()
    assert waiting == 0
