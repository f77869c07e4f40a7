"""Feedback fixtures: the store ones (SQLite and PostgreSQL), the dataset stored, and the
running loop of the end-to-end tests (both emulators)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from sync.store.db import session_factory
from tests.e2e.conftest import any_store_harness, clock, harness  # noqa: F401  (fixtures)
from tests.feedback.dataset import store_dataset
from tests.store.conftest import empty_engine, engine, session  # noqa: F401  (fixtures)


@pytest.fixture
def stored(engine: Engine) -> Iterator[Session]:  # noqa: F811
    """A session on a store holding the dataset (closed before the database is dropped)."""
    with session_factory(engine)() as session:  # noqa: F811
        store_dataset(session)
        yield session
