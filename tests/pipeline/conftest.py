"""Fixtures of the pipeline specs: a fresh :class:`World` per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sync.store.db import make_engine, session_factory, upgrade
from tests.builders import NOW, FrozenClock
from tests.fakes.crm import FakeCrm
from tests.fakes.records import reason_options
from tests.pipeline.world import World, settings_for


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    """An empty fake CRM and a migrated SQLite store, both on one frozen clock."""
    clock = FrozenClock(NOW)
    settings = settings_for(tmp_path)
    engine = make_engine(settings.store.dsn)
    upgrade(engine)
    try:
        yield World(FakeCrm(clock, reason_options()), clock, settings, session_factory(engine))
    finally:
        engine.dispose()
