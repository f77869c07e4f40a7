"""The store's tables as typed SQLAlchemy models.

Leads are keyed by ``(source, external_id)``; everything else hangs off them or off a run.
State machines (runs, outbox items) list their legal transitions in :mod:`sync.store.states`;
the model's ``transition`` method is the only way the code changes a state.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from sync.store.base import Base
from sync.store.errors import IllegalTransition
from sync.store.states import (
    OUTBOX_TRANSITIONS,
    RUN_TRANSITIONS,
    OutboxState,
    RunState,
)
from sync.store.types import BigIntKey, JSONType, StrEnumType, UTCDateTime


def _one_of(states: type[enum.StrEnum]) -> CheckConstraint:
    """A CHECK that the ``state`` column holds one of ``states`` (named ``ck_<table>_state``)."""
    values = ", ".join(f"'{state.value}'" for state in states)
    return CheckConstraint(f"state IN ({values})", name="state")


class LeadRow(Base):
    """A lead in canonical form (see :class:`sync.domain.Lead`), plus when leadloop saw it."""

    __tablename__ = "leads"
    __table_args__ = (
        UniqueConstraint("source", "external_id"),
        Index(None, "source", "status"),
        Index(None, "email"),
    )

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True)
    source: Mapped[str] = mapped_column(String(64))
    external_id: Mapped[str] = mapped_column(String(255))
    status: Mapped[str | None] = mapped_column(String(16))
    raw_status: Mapped[str | None] = mapped_column(Text)
    nurture_reason: Mapped[str | None] = mapped_column(Text)
    unqualified_reason: Mapped[str | None] = mapped_column(Text)
    reason_detail: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(Text)  # already normalized by the mapping
    phone: Mapped[str | None] = mapped_column(Text)
    company: Mapped[str | None] = mapped_column(Text)
    industry: Mapped[str | None] = mapped_column(Text)
    country: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    lead_source: Mapped[str | None] = mapped_column(Text)
    campaign: Mapped[str | None] = mapped_column(Text)
    score: Mapped[float | None] = mapped_column(Float)
    wants_call: Mapped[bool] = mapped_column(Boolean, default=False)
    owner: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    modified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    is_deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    merged_into: Mapped[str | None] = mapped_column(String(255))
    converted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_flag: Mapped[str | None] = mapped_column(Text)
    #: digest of the canonical fields, so an unchanged re-pulled lead is not rewritten
    fingerprint: Mapped[str] = mapped_column(String(32))
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)  # last local change


class StatusChange(Base):
    """One observed status change of a lead (``from_status`` is None when first seen)."""

    __tablename__ = "status_history"
    __table_args__ = (Index(None, "lead_id", "changed_at"),)

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)  # per the CRM, else observed_at
    observed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id", ondelete="SET NULL"))


class RawPayload(Base):
    """The latest CRM payload of a lead (older ones are overwritten, not kept)."""

    __tablename__ = "raw_payloads"

    lead_id: Mapped[int] = mapped_column(
        ForeignKey("leads.id", ondelete="CASCADE"), primary_key=True
    )
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SyncCursor(Base):
    """Where the next incremental pull of one stream of one source resumes."""

    __tablename__ = "sync_cursors"

    source: Mapped[str] = mapped_column(String(64), primary_key=True)
    stream: Mapped[str] = mapped_column(String(64), primary_key=True)
    modstamp: Mapped[datetime] = mapped_column(UTCDateTime)
    record_id: Mapped[str] = mapped_column(String(255), default="")
    window_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Run(Base):
    """One execution of a job (sync, resync, undo, feedback, ...) with its heartbeat and counts."""

    __tablename__ = "runs"
    __table_args__ = (Index(None, "state", "heartbeat_at"), _one_of(RunState))

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


class OutboxItem(Base):
    """One field correction waiting for, or done with, its write to the CRM."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index(None, "state", "next_attempt_at"),
        Index(None, "source", "state", "id"),  # claims: each state's oldest, in index order
        Index(None, "run_id"),
        _one_of(OutboxState),
    )

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(255), unique=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id", ondelete="SET NULL"))
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(64))
    external_id: Mapped[str] = mapped_column(String(255))
    field: Mapped[str] = mapped_column(String(64))  # canonical field name
    crm_field: Mapped[str] = mapped_column(String(255))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    policy: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(Text)  # the policy's explanation, for humans
    state: Mapped[OutboxState] = mapped_column(
        StrEnumType(OutboxState), default=OutboxState.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    expected_modstamp: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: CRM field -> the value the correction was decided on (None: stored before 0003)
    expected: Mapped[dict[str, str | None] | None] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the run whose write-back sent it, whether that call changed the record (False: the CRM
    #: already held the value), and the record's modstamp after it (undo's conflict check)
    sent_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("runs.id", ondelete="SET NULL"), index=True
    )
    applied: Mapped[bool] = mapped_column(Boolean, default=False)
    sent_modstamp: Mapped[datetime | None] = mapped_column(UTCDateTime)
    undone_by_run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id", ondelete="SET NULL"))

    def transition(self, to: OutboxState, now: datetime) -> None:
        """Move to state ``to``; raise :class:`IllegalTransition` if not allowed."""
        if to not in OUTBOX_TRANSITIONS[self.state]:
            raise IllegalTransition(
                f"outbox item {self.idempotency_key}: cannot go from {self.state} to {to}"
            )
        # an attempt is counted when it starts (in flight), or when an item is settled
        # without one (superseded); never twice
        if to is OutboxState.SENDING or (
            to is not OutboxState.PENDING and self.state is not OutboxState.SENDING
        ):
            self.attempts += 1
        if to is OutboxState.SENT:
            self.sent_at = now
        self.state = to


class ReviewTask(Base):
    """The task leadloop last wrote for a lead's review flag (flag channel ``task``): its id
    in the CRM and the text it says while open (None once leadloop closed it)."""

    __tablename__ = "review_tasks"
    __table_args__ = (Index(None, "source"),)

    lead_id: Mapped[int] = mapped_column(
        ForeignKey("leads.id", ondelete="CASCADE"), primary_key=True
    )
    source: Mapped[str] = mapped_column(String(64))
    task_id: Mapped[str | None] = mapped_column(String(255))
    text: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class FindingRow(Base):
    """Something a policy flagged on a lead; open while ``resolved_at`` is None."""

    __tablename__ = "findings"
    __table_args__ = (
        # at most one open finding per (lead, policy, code); resolved ones are history
        Index(
            "uq_findings_open_lead_id_policy_code_field",
            "lead_id",
            "policy",
            "code",
            "field",
            unique=True,
            sqlite_where=text("resolved_at IS NULL"),
            postgresql_where=text("resolved_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"))
    policy: Mapped[str] = mapped_column(String(64))
    code: Mapped[str] = mapped_column(String(64))
    field: Mapped[str] = mapped_column(String(64), default="")  # canonical field, "" for none
    severity: Mapped[str] = mapped_column(String(16))
    message: Mapped[str] = mapped_column(Text)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id", ondelete="SET NULL"))


class FeedbackPush(Base):
    """What was last pushed for one feedback key to one target, to push only what changed."""

    __tablename__ = "feedback_pushes"
    # one key is pushed to each target separately (custom object, contact properties)
    __table_args__ = (UniqueConstraint("target", "key"),)

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True)
    target: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(512))  # period/source/campaign/reason
    payload_hash: Mapped[str] = mapped_column(String(64))
    pushed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    remote_id: Mapped[str | None] = mapped_column(String(255))


class Lease(Base):
    """A time-limited claim of one job by one worker (multi-worker coordination)."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(255), primary_key=True)
    holder: Mapped[str] = mapped_column(String(255))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
