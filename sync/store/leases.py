"""Job leases: time-limited claims of one job by one worker (multi-worker coordination)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from sync.store.models import Lease
from sync.store.sql import dialect_insert


def acquire_lease(session: Session, name: str, holder: str, now: datetime, ttl: timedelta) -> bool:
    """Take or renew the lease on job ``name`` for ``holder`` until ``now + ttl``.

    Succeeds when the lease is free, expired, or already ``holder``'s; one atomic statement,
    so two workers racing for the same job cannot both win.
    """
    statement = dialect_insert(session, Lease).values(
        name=name, holder=holder, expires_at=now + ttl
    )
    statement = statement.on_conflict_do_update(
        index_elements=[Lease.name],
        set_={"holder": holder, "expires_at": now + ttl},
        where=(Lease.expires_at <= now) | (Lease.holder == holder),
    )
    # RETURNING yields the row only when it was inserted or taken over
    return session.execute(statement.returning(Lease.name)).first() is not None


def release_lease(session: Session, name: str, holder: str) -> None:
    """Give up ``holder``'s lease on job ``name`` (no-op if someone else holds it)."""
    statement = delete(Lease).where(Lease.name == name, Lease.holder == holder)
    session.execute(statement.execution_options(synchronize_session=False))
