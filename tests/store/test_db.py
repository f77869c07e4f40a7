"""Engines: supported URLs only, passwords never shown, SQLite files created where asked."""

from __future__ import annotations

from pathlib import Path

import pytest

from sync.store.db import current_revision, make_engine, upgrade
from sync.store.errors import StoreError


def test_given_a_postgres_url_with_a_password_when_unreachable_then_the_error_hides_it() -> None:
    engine = make_engine("postgresql+psycopg://leadloop:s3cret-pw@127.0.0.1:1/leadloop")

    with pytest.raises(StoreError) as raised:
        current_revision(engine)

    assert "s3cret-pw" not in str(raised.value)
    assert "leadloop:***@127.0.0.1:1/leadloop" in str(raised.value)


def test_given_a_sqlite_path_in_a_missing_directory_when_upgraded_then_it_is_created(
    tmp_path: Path,
) -> None:
    path = tmp_path / "state" / "nested" / "leadloop.db"

    upgrade(make_engine(f"sqlite:///{path}"))

    assert path.exists()


def test_given_an_unsupported_database_url_when_an_engine_is_made_then_it_says_what_works() -> None:
    with pytest.raises(StoreError, match=r"unsupported store URL mysql://u:\*\*\*@db/leads: use"):
        make_engine("mysql://u:pw@db/leads")


def test_given_a_plain_postgresql_url_when_an_engine_is_made_then_psycopg_3_is_used() -> None:
    engine = make_engine("postgresql://leadloop@127.0.0.1/leadloop")

    assert engine.url.drivername == "postgresql+psycopg"


@pytest.mark.postgres
def test_given_a_postgres_engine_then_its_connections_never_use_server_side_prepares(
    postgres_url: str,
) -> None:
    """Prepared generic plans turned page lookups into sequential scans on young tables."""
    engine = make_engine(postgres_url)

    with engine.connect() as connection:
        assert connection.connection.driver_connection.prepare_threshold is None  # type: ignore[union-attr]
    engine.dispose()
