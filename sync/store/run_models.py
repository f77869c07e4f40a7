"""Runs and leases: the durable trace of each job execution, and who may run a job now."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sync.store.base import Base
from sync.store.errors import IllegalTransition
from sync.store.states import RUN_TRANSITIONS, RunState
from sync.store.types import BigIntKey, JSONType, StrEnumType, UTCDateTime, one_of


class Run(Base):
    """One execution of a job (sync, resync, undo, feedback, ...) with its heartbeat and counts."""

    __tablename__ = "runs"
    __table_args__ = (Index(None, "state", "heartbeat_at"), one_of(RunState))

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    source: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[RunState] = mapped_column(StrEnumType(RunState), default=RunState.QUEUED)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    counts: Mapped[dict[str, int]] = mapped_column(JSONType, default=dict)
    error: Mapped[str | None] = mapped_column(Text)
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    worker_id: Mapped[str | None] = mapped_column(String(255))

    def transition(self, to: RunState, now: datetime) -> None:
        """Move to state ``to`` at ``now``; raise :class:`IllegalTransition` if not allowed."""
        if to not in RUN_TRANSITIONS[self.state]:
            raise IllegalTransition(f"run {self.id}: cannot go from {self.state} to {to}")
        self.state = to
        if to is RunState.RUNNING:
            self.started_at = self.heartbeat_at = now
        else:
            self.finished_at = now


class Lease(Base):
    """A short claim of one job by one worker, renewed while it works (see ``sync.lease``).

    ``holder`` is the worker's stable name, ``instance`` the process holding it (name, host,
    pid); times come from the database's clock, never a worker's.
    """

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(255), primary_key=True)
    holder: Mapped[str] = mapped_column(String(255))
    instance: Mapped[str] = mapped_column(String(255), default="")
    acquired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
