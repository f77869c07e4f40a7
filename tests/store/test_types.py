"""UTC datetimes: aware in, aware UTC out, naive refused, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session

from sync.store.db import make_engine, session_factory, upgrade
from sync.store.models import Lease

PARIS_SUMMER = timezone(timedelta(hours=2))


def test_given_an_aware_non_utc_datetime_when_stored_then_it_reads_back_as_the_same_utc_instant(
    session: Session,
) -> None:
    stored = datetime(2026, 6, 1, 14, 30, 15, 123456, tzinfo=PARIS_SUMMER)
    session.add(Lease(name="sync:salesforce", holder="w1", expires_at=stored))
    session.commit()
    session.expunge_all()

    loaded = session.scalars(select(Lease.expires_at)).one()

    assert loaded == stored
    assert loaded.tzinfo is not None and loaded.utcoffset() == timedelta(0)
    assert loaded == datetime(2026, 6, 1, 12, 30, 15, 123456, tzinfo=UTC)


def test_given_aware_datetimes_when_compared_in_sql_then_the_instant_decides_not_the_zone(
    session: Session,
) -> None:
    session.add(Lease(name="a", holder="w1", expires_at=datetime(2026, 6, 1, 12, 0, tzinfo=UTC)))
    session.commit()

    later_wall_clock_same_instant = datetime(2026, 6, 1, 14, 0, tzinfo=PARIS_SUMMER)
    query = select(Lease.name).where(Lease.expires_at >= later_wall_clock_same_instant)

    assert session.scalars(query).all() == ["a"]


def test_given_a_naive_datetime_when_stored_then_it_is_refused_with_a_clear_error(
    session: Session,
) -> None:
    session.add(Lease(name="a", holder="w1", expires_at=datetime(2026, 6, 1, 12, 0)))  # noqa: DTZ001

    with pytest.raises(StatementError, match="naive datetime 2026-06-01T12:00:00 refused"):
        session.flush()


def test_given_a_sqlite_store_when_a_datetime_is_stored_then_the_text_is_sortable_utc(
    tmp_path: Path,
) -> None:
    """SQLite keeps text: the same fixed-width UTC format SQLAlchemy uses, so ORDER BY works."""
    engine = make_engine(f"sqlite:///{tmp_path / 'leadloop.db'}")
    upgrade(engine)
    expires_at = datetime(2026, 6, 1, 14, tzinfo=PARIS_SUMMER)
    with session_factory(engine).begin() as session:
        session.add(Lease(name="a", holder="w1", expires_at=expires_at))

    with engine.connect() as connection:
        stored = connection.execute(text("SELECT expires_at FROM leases")).scalar_one()

    assert stored == "2026-06-01 12:00:00.000000"
