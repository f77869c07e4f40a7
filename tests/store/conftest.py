"""Store fixtures: every store test runs on SQLite and on PostgreSQL (``store_url``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from sync.store.db import make_engine, session_factory, upgrade


@pytest.fixture
def empty_engine(store_url: str) -> Iterator[Engine]:
    """An engine on an empty database (no schema yet)."""
    engine = make_engine(store_url)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(empty_engine: Engine) -> Engine:
    """An engine on a database migrated to the head revision."""
    upgrade(empty_engine)
    return empty_engine


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session on the migrated store; rolled back (if still open) at the end."""
    with session_factory(engine)() as session:
        yield session
