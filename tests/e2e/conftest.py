"""A running loop: both emulators, a config pointing at them, a migrated store, a frozen clock."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from connectors.sandbox.runner import Sandbox, SandboxOptions
from sync.config.settings import Settings, load_settings
from sync.demo import write_config
from sync.pipeline.engine import Engine as Loop
from sync.pipeline.engine import SourceReport, SyncRequest
from sync.pipeline.sources import open_sources
from sync.store.db import make_engine, session_factory, upgrade
from sync.store.models import OutboxItem
from tests.builders import FrozenClock


@dataclass
class Harness:
    box: Sandbox
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    clock: FrozenClock
    config: Path

    def sync(self, *sources: str, **request: Any) -> dict[str, SourceReport]:
        """One cycle of the named sources (all by default) with fresh connectors."""
        reports = {}
        with open_sources(self.settings, list(sources) or None) as opened:
            loop = Loop(self.settings, self.sessions, self.clock)
            for source in opened.values():
                reports[source.name] = loop.sync(source, SyncRequest(**request))
        return reports

    def writes(self) -> int:
        """Write calls the emulators received: Salesforce Collections (leads; tasks created)
        and single-record PATCHes (tasks changed, closed), HubSpot batch updates."""
        sf = self.box.salesforce.calls
        sf_writes = sf["composite"] + sf["composite_create"] + sf["sobject_patch"]
        return sf_writes + self.box.hubspot.calls["batch_update"]

    def outbox_count(self) -> int:
        with self.sessions() as session:
            return session.scalar(select(func.count()).select_from(OutboxItem)) or 0

    def sf_leads(self, scenario: str) -> list[dict[str, Any]]:
        emulator = self.box.salesforce
        return [
            row
            for row in emulator.records()
            if emulator.scenario_of(row["Id"]) == scenario and not row["IsDeleted"]
        ]

    def hs_contacts(self, scenario: str) -> list[dict[str, Any]]:
        emulator = self.box.hubspot
        found = []
        for contact_id in list(emulator.contacts.records):
            if emulator.scenario_of(contact_id) == scenario:
                contact = emulator.contact(contact_id)
                if not contact.get("archived"):
                    found.append(contact)
        return found


START = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def before_query(emulator: Any, nth: int, hook: Callable[[Any], None]) -> None:
    """Run ``hook`` just before the ``nth`` query the Salesforce emulator answers from now
    (1: the next one). A first sync's queries: its COUNT(), its page, the writer's re-read."""
    if nth == 1:
        emulator.before_next("query", hook)
    else:
        emulator.before_next("query", lambda _e: before_query(emulator, nth - 1, hook))


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


def quirks_off(request: pytest.FixtureRequest) -> frozenset[str]:
    """The sandbox quirks a test switches off with ``@pytest.mark.quirks_off(...)``.

    Each use carries a ``# realism-off(issue N.M): why`` comment: a product defect that the
    realistic sandbox exposes; the fix removes the marker.
    """
    return frozenset(
        name for marker in request.node.iter_markers("quirks_off") for name in marker.args
    )


def _harness(
    tmp_path: Path,
    store: str,
    clock: FrozenClock,
    *,
    quirks_off: frozenset[str] = frozenset(),
    leads: int = 200,
    contacts: int = 120,
) -> Iterator[Harness]:
    options = SandboxOptions(leads=leads, contacts=contacts, now=clock, quirks_off=quirks_off)
    box = Sandbox(options).start()
    try:
        config = write_config(tmp_path, box.salesforce_url, box.hubspot_url, store)
        settings = load_settings(config)
        engine = make_engine(settings.store.dsn)
        upgrade(engine)
        try:
            yield Harness(box, settings, engine, session_factory(engine), clock, config)
        finally:
            engine.dispose()
    finally:
        box.stop()


@pytest.fixture
def harness(
    tmp_path: Path, clock: FrozenClock, request: pytest.FixtureRequest
) -> Iterator[Harness]:
    """The loop on SQLite."""
    sqlite = f"sqlite:///{tmp_path / 'leadloop.db'}"
    yield from _harness(tmp_path, sqlite, clock, quirks_off=quirks_off(request))


@pytest.fixture
def any_store_harness(
    tmp_path: Path, clock: FrozenClock, store_url: str, request: pytest.FixtureRequest
) -> Iterator[Harness]:
    """The loop on SQLite and on PostgreSQL."""
    yield from _harness(tmp_path, store_url, clock, quirks_off=quirks_off(request))
