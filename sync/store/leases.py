"""Job leases: short claims of one job by one worker, timed by the database's clock.

Expiry is computed from the store's clock, never a worker's, so workers whose clocks disagree
still agree on who holds what: PostgreSQL's ``statement_timestamp()``; SQLite is embedded, so
every process on one SQLite file reads the same machine clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import case, delete, func, literal, select
from sqlalchemy.orm import Session

from sync.store.models import Lease
from sync.store.sql import dialect_insert
from sync.store.types import UTCDateTime


@dataclass(frozen=True)
class LeaseInfo:
    """Who holds a lease, since when, until when (database time)."""

    name: str
    holder: str
    instance: str
    acquired_at: datetime | None
    expires_at: datetime


def store_now(session: Session) -> datetime:
    """The store's clock (aware, UTC)."""
    if session.get_bind().dialect.name == "postgresql":
        now = session.scalar(select(func.statement_timestamp()))
        assert now is not None
        return now.astimezone(UTC)
    return datetime.now(UTC)


def acquire_lease(
    session: Session,
    name: str,
    holder: str,
    instance: str,
    ttl: timedelta,
    take_back_from: str | None = None,
) -> bool:
    """Take or renew lease ``name`` for ``instance`` (of worker ``holder``) for ``ttl``.

    Succeeds when the lease is free, expired, already ``instance``'s, or still held by
    ``take_back_from`` (a dead earlier process of the same worker). One atomic statement, so
    two workers racing for the same lease cannot both win.
    """
    now = store_now(session)
    mine = (Lease.holder == holder) & (Lease.instance == instance)
    allowed = (Lease.expires_at <= now) | mine
    if take_back_from is not None:
        allowed |= (Lease.holder == holder) & (Lease.instance == take_back_from)
    statement = dialect_insert(session, Lease).values(
        name=name, holder=holder, instance=instance, acquired_at=now, expires_at=now + ttl
    )
    statement = statement.on_conflict_do_update(
        index_elements=[Lease.name],
        set_={
            "holder": holder,
            "instance": instance,
            "expires_at": now + ttl,
            "acquired_at": case((mine, Lease.acquired_at), else_=literal(now, UTCDateTime())),
        },
        where=allowed,
    )
    # RETURNING yields the row only when it was inserted or taken over
    return session.execute(statement.returning(Lease.name)).first() is not None


def lease_info(session: Session, name: str) -> LeaseInfo | None:
    """The current holder of lease ``name`` (None when nobody ever held it, or it was freed)."""
    row = session.get(Lease, name, populate_existing=True)
    if row is None:
        return None
    return LeaseInfo(row.name, row.holder, row.instance, row.acquired_at, row.expires_at)


def release_lease(session: Session, name: str, instance: str) -> None:
    """Give up ``instance``'s lease on ``name`` (no-op if someone else holds it)."""
    statement = delete(Lease).where(Lease.name == name, Lease.instance == instance)
    session.execute(statement.execution_options(synchronize_session=False))
