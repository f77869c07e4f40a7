"""The store's tables as typed SQLAlchemy models.

Leads are keyed by ``(source, external_id)``; everything else hangs off them or off a run.
State machines (runs, outbox items) list their legal transitions in :mod:`sync.store.states`;
the model's ``transition`` method is the only way the code changes a state.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from sync.store.base import Base
from sync.store.errors import IllegalTransition
from sync.store.states import OUTBOX_TRANSITIONS, OutboxState
from sync.store.types import BigIntKey, JSONType, StrEnumType, UTCDateTime, one_of


class LeadRow(Base):
    """A lead in canonical form (see :class:`sync.domain.Lead`), plus when leadloop saw it."""

    __tablename__ = "leads"
    __table_args__ = (
        UniqueConstraint("source", "external_id"),
        Index(None, "source", "status"),
        Index(None, "email"),
        Index(None, "source", "email"),  # duplicate emails within a source, a page at a time
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
    #: when the lead last started a spell in nurture or unqualified: the latest ``changed_at``
    #: of its status changes that match :data:`SPELL_STARTS` (kept by :mod:`sync.store.history`
    #: as it writes them, so that feedback reads it here rather than from the whole history)
    disqualified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: a value was given but the normalizer rejected it (email/phone is then NULL)
    email_invalid: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    phone_invalid: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: digest of the canonical fields, so an unchanged re-pulled lead is not rewritten
    fingerprint: Mapped[str] = mapped_column(String(32))
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)  # last local change


#: a status change into nurture or unqualified from any other status (or first seen so)
SPELL_STARTS = (
    "to_status IN ('nurture', 'unqualified') AND "
    "(from_status IS NULL OR from_status NOT IN ('nurture', 'unqualified'))"
)


class StatusChange(Base):
    """One observed status change of a lead (``from_status`` is None when first seen)."""

    __tablename__ = "status_history"
    __table_args__ = (
        Index(None, "lead_id", "changed_at"),
        # only the changes that start a disqualified spell: feedback reads when each
        # disqualified lead was disqualified from these (an index scan, not the history)
        Index(
            "ix_status_history_disqualified",
            "lead_id",
            "changed_at",
            sqlite_where=text(SPELL_STARTS),
            postgresql_where=text(SPELL_STARTS),
        ),
    )

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)  # when the lead entered to_status
    observed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: how ``changed_at`` is known (:data:`sync.store.history.BASES`); None on older rows
    basis: Mapped[str | None] = mapped_column(String(16))
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


class OutboxItem(Base):
    """One field correction waiting for, or done with, its write to the CRM."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index(None, "state", "next_attempt_at"),
        Index(None, "source", "state", "id"),  # claims: each state's oldest, in index order
        Index(None, "run_id"),
        one_of(OutboxState),
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


# the feedback step's tables, and the runs and leases, live in modules of their own; importing
# them here registers them on the metadata wherever the models are imported (migrations, tests)
from sync.store.feedback_models import (  # noqa: E402
    FeedbackPush,
    RecommendationRow,
    RecommendationRule,
)
from sync.store.run_models import Lease, Run  # noqa: E402

__all__ = [
    "SPELL_STARTS", "FeedbackPush", "FindingRow", "LeadRow", "Lease", "OutboxItem",
    "RawPayload", "RecommendationRow", "RecommendationRule", "Run", "StatusChange",
    "SyncCursor",
]  # fmt: skip
