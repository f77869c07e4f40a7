"""Initial schema: leads, status history, raw payloads, cursors, runs, outbox, findings,
feedback pushes, leases.

Plain SQLAlchemy types only (no imports from the models): a migration must keep meaning the
same schema however the models evolve later.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

KEY = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
OPEN = sa.text("resolved_at IS NULL")


def _time(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _text(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.Text(), nullable=nullable)


def _id(table: str) -> tuple[sa.Column, sa.PrimaryKeyConstraint]:
    return sa.Column("id", KEY, nullable=False), sa.PrimaryKeyConstraint("id", name=f"pk_{table}")


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    name = f"fk_{table}_{column}_{target}"
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=name, ondelete=ondelete)


def upgrade() -> None:
    _leads()
    _runs()
    op.create_table(
        "leases",
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("holder", sa.String(255), nullable=False),
        _time("expires_at"),
        sa.PrimaryKeyConstraint("name", name="pk_leases"),
    )
    op.create_table(
        "sync_cursors",
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("stream", sa.String(64), nullable=False),
        _time("modstamp"),
        sa.Column("record_id", sa.String(255), nullable=False),
        _time("window_end", nullable=True),
        _time("updated_at"),
        sa.PrimaryKeyConstraint("source", "stream", name="pk_sync_cursors"),
    )
    op.create_table(
        "feedback_pushes",
        *_id("feedback_pushes"),
        sa.Column("target", sa.String(64), nullable=False),
        sa.Column("key", sa.String(512), nullable=False),
        sa.Column("payload_hash", sa.String(64), nullable=False),
        _time("pushed_at"),
        sa.Column("remote_id", sa.String(255), nullable=True),
        sa.UniqueConstraint("target", "key", name="uq_feedback_pushes_target_key"),
    )
    _lead_children()
    _outbox()


def _leads() -> None:
    op.create_table(
        "leads",
        *_id("leads"),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("external_id", sa.String(255), nullable=False),
        sa.Column("status", sa.String(16), nullable=True),
        *(_text(name) for name in ("raw_status", "nurture_reason", "unqualified_reason")),
        *(_text(name) for name in ("reason_detail", "email", "phone", "company", "industry")),
        *(_text(name) for name in ("country", "title", "lead_source", "campaign")),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("wants_call", sa.Boolean(), nullable=False),
        _text("owner"),
        _time("created_at", nullable=True),
        _time("status_changed_at", nullable=True),
        _time("modified_at", nullable=True),
        sa.Column("is_deleted", sa.Boolean(), nullable=False),
        sa.Column("merged_into", sa.String(255), nullable=True),
        _time("converted_at", nullable=True),
        _text("review_flag"),
        sa.Column("fingerprint", sa.String(32), nullable=False),
        _time("first_seen_at"),
        _time("updated_at"),
        sa.UniqueConstraint("source", "external_id", name="uq_leads_source_external_id"),
    )
    op.create_index("ix_leads_email", "leads", ["email"])
    op.create_index("ix_leads_source_status", "leads", ["source", "status"])


def _runs() -> None:
    op.create_table(
        "runs",
        *_id("runs"),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("source", sa.String(64), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        _time("created_at"),
        _time("started_at", nullable=True),
        _time("heartbeat_at", nullable=True),
        _time("finished_at", nullable=True),
        sa.Column("counts", JSON, nullable=False),
        _text("error"),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("worker_id", sa.String(255), nullable=True),
        sa.CheckConstraint(
            "state IN ('queued', 'running', 'succeeded', 'failed', 'dead')", name="ck_runs_state"
        ),
    )
    op.create_index("ix_runs_state_heartbeat_at", "runs", ["state", "heartbeat_at"])


def _lead_children() -> None:
    op.create_table(
        "raw_payloads",
        sa.Column("lead_id", KEY, nullable=False),
        sa.Column("payload", JSON, nullable=False),
        _time("fetched_at"),
        _fk("raw_payloads", "lead_id", "leads", "CASCADE"),
        sa.PrimaryKeyConstraint("lead_id", name="pk_raw_payloads"),
    )
    op.create_table(
        "status_history",
        *_id("status_history"),
        sa.Column("lead_id", KEY, nullable=False),
        sa.Column("from_status", sa.String(16), nullable=True),
        sa.Column("to_status", sa.String(16), nullable=True),
        _time("changed_at"),
        _time("observed_at"),
        sa.Column("run_id", KEY, nullable=True),
        _fk("status_history", "lead_id", "leads", "CASCADE"),
        _fk("status_history", "run_id", "runs", "SET NULL"),
    )
    op.create_index(
        "ix_status_history_lead_id_changed_at", "status_history", ["lead_id", "changed_at"]
    )
    op.create_table(
        "findings",
        *_id("findings"),
        sa.Column("lead_id", KEY, nullable=False),
        sa.Column("policy", sa.String(64), nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("field", sa.String(64), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        _text("message", nullable=False),
        sa.Column("evidence", JSON, nullable=False),
        _time("first_seen_at"),
        _time("last_seen_at"),
        _time("resolved_at", nullable=True),
        sa.Column("run_id", KEY, nullable=True),
        _fk("findings", "lead_id", "leads", "CASCADE"),
        _fk("findings", "run_id", "runs", "SET NULL"),
    )
    op.create_index(
        "uq_findings_open_lead_id_policy_code_field",
        "findings",
        ["lead_id", "policy", "code", "field"],
        unique=True,
        sqlite_where=OPEN,
        postgresql_where=OPEN,
    )


def _outbox() -> None:
    op.create_table(
        "outbox",
        *_id("outbox"),
        sa.Column("idempotency_key", sa.String(255), nullable=False),
        sa.Column("run_id", KEY, nullable=True),
        sa.Column("lead_id", KEY, nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("external_id", sa.String(255), nullable=False),
        sa.Column("field", sa.String(64), nullable=False),
        sa.Column("crm_field", sa.String(255), nullable=False),
        _text("old_value"),
        _text("new_value"),
        sa.Column("policy", sa.String(64), nullable=False),
        _text("reason"),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _time("next_attempt_at", nullable=True),
        _text("last_error"),
        _time("expected_modstamp", nullable=True),
        _time("created_at"),
        _time("sent_at", nullable=True),
        sa.Column("sent_run_id", KEY, nullable=True),
        sa.Column("applied", sa.Boolean(), nullable=False),
        _time("sent_modstamp", nullable=True),
        sa.Column("undone_by_run_id", KEY, nullable=True),
        sa.CheckConstraint(
            "state IN ('pending', 'sent', 'conflict', 'retry', 'dead')", name="ck_outbox_state"
        ),
        _fk("outbox", "lead_id", "leads", "CASCADE"),
        _fk("outbox", "run_id", "runs", "SET NULL"),
        _fk("outbox", "sent_run_id", "runs", "SET NULL"),
        _fk("outbox", "undone_by_run_id", "runs", "SET NULL"),
        sa.UniqueConstraint("idempotency_key", name="uq_outbox_idempotency_key"),
    )
    op.create_index("ix_outbox_lead_id", "outbox", ["lead_id"])
    op.create_index("ix_outbox_run_id", "outbox", ["run_id"])
    op.create_index("ix_outbox_sent_run_id", "outbox", ["sent_run_id"])
    op.create_index("ix_outbox_state_next_attempt_at", "outbox", ["state", "next_attempt_at"])


def downgrade() -> None:
    for table in (
        "outbox",
        "findings",
        "status_history",
        "raw_payloads",
        "feedback_pushes",
        "sync_cursors",
        "leases",
        "runs",
        "leads",
    ):
        op.drop_table(table)
