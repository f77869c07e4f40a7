"""A mapping's own ``reasons:`` values count as catalogue values in a real sync: real client,
real HTTP, the Salesforce emulator, a SQLite store."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from connectors.sandbox.runner import Sandbox, SandboxOptions
from mappings.loader import BUILTIN_DIR
from sync.config.settings import Settings, load_settings
from sync.demo import write_config
from sync.pipeline.engine import Engine, SyncRequest
from sync.pipeline.sources import open_sources
from sync.store.db import make_engine, session_factory, upgrade
from sync.store.models import FindingRow, LeadRow, OutboxItem
from tests.builders import FrozenClock

START = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
DECLARED, UNDECLARED = "Budget Later", "Budget Someday"


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def box(clock: FrozenClock) -> Iterator[Sandbox]:
    with Sandbox(SandboxOptions(leads=20, contacts=1, now=clock)) as sandbox:
        yield sandbox


def settings_with_own_value(folder: Path, box: Sandbox) -> Settings:
    """The demo config, its Salesforce source on a copy of the built-in mapping that says
    ``Budget Later`` is this org's value for no_budget_now."""
    mapping = (BUILTIN_DIR / "salesforce_lead.yaml").read_text(encoding="utf-8")
    (folder / "lead.yaml").write_text(
        mapping + f"reasons:\n  {DECLARED}: no_budget_now\n", encoding="utf-8"
    )
    config = write_config(folder, box.salesforce_url, box.hubspot_url)
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("mapping: salesforce_lead", "mapping: lead.yaml"), "utf-8")
    return load_settings(config, env={})


def plant(box: Sandbox) -> tuple[str, str]:
    """Two nurture leads: one with the mapping's own value, one with a value nobody declared."""
    declared, undeclared = (row["Id"] for row in box.salesforce.records()[:2])
    for lead_id, value in ((declared, DECLARED), (undeclared, UNDECLARED)):
        box.salesforce.human_edit(
            lead_id,
            {
                "Status": "Nurture",
                "Nurture_Reason__c": value,
                "Unqualified_Reason__c": None,
                "Wants_Call__c": False,
            },
        )
    return declared, undeclared


def test_given_a_reason_value_the_mapping_declares_when_synced_then_it_is_accepted_as_is(
    box: Sandbox, clock: FrozenClock, tmp_path: Path
) -> None:
    settings = settings_with_own_value(tmp_path, box)
    declared, undeclared = plant(box)
    clock.advance()  # the edits are before the end of the window the sync reads
    engine = make_engine(settings.store.dsn)
    upgrade(engine)
    sessions = session_factory(engine)

    with open_sources(settings, ["salesforce"]) as sources:
        Engine(settings, sessions, clock).sync(sources["salesforce"], SyncRequest())

    with sessions() as session:
        vocabulary = set(
            session.scalars(
                select(LeadRow.external_id)
                .join(FindingRow, FindingRow.lead_id == LeadRow.id)
                .where(FindingRow.policy == "reason_vocabulary")
            )
        )
        queued = set(session.scalars(select(OutboxItem.external_id)))
    engine.dispose()
    assert declared not in vocabulary and declared not in queued
    assert undeclared in vocabulary and undeclared in queued  # the check is live
    assert box.salesforce.record(declared)["Nurture_Reason__c"] == DECLARED
