"""Outbox: the values each correction was decided on, and batches in flight.

``expected`` maps CRM fields to the values the correction was evaluated on (the fields it
changes and those its decision depended on): a writer refuses a correction whose record no
longer reads so, which a whole-second modstamp alone cannot see. Items stored before keep
NULL and are checked on their own field's old value.

State ``sending``: a batch is recorded in flight before it is sent, so a crash between the
CRM's write and the commit of its outcome leaves a trace the next run reconciles.

Table ``review_tasks``: the task leadloop last wrote per lead for its review flag (flag
channel ``task``), its CRM id and its text while open.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
KEY = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
STATES = "state IN ('pending', 'sending', 'sent', 'conflict', 'retry', 'dead')"
OLD_STATES = "state IN ('pending', 'sent', 'conflict', 'retry', 'dead')"


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("expected", JSON, nullable=True))
        batch.drop_constraint("ck_outbox_state", type_="check")
        batch.create_check_constraint("ck_outbox_state", sa.text(STATES))
    op.create_table(
        "review_tasks",
        sa.Column("lead_id", KEY, nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("task_id", sa.String(255), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["leads.id"], name="fk_review_tasks_lead_id_leads", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("lead_id", name="pk_review_tasks"),
    )
    op.create_index("ix_review_tasks_source", "review_tasks", ["source"])


def downgrade() -> None:
    op.drop_table("review_tasks")
    op.execute("UPDATE outbox SET state = 'pending' WHERE state = 'sending'")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_constraint("ck_outbox_state", type_="check")
        batch.create_check_constraint("ck_outbox_state", sa.text(OLD_STATES))
        batch.drop_column("expected")
