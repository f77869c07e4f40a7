"""Feedback: contact-data validity on leads, the recommendations' history, and an index of
the status changes that start a disqualified spell.

``email_invalid``/``phone_invalid`` tell a value the normalizer rejected from a missing one
(both were stored as NULL). Leads stored before this revision read as "not invalid" until they
are pulled again; ``leadloop resync --full`` judges them all at once.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None

KEY = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
OPEN = sa.text("closed_period IS NULL")
SPELL_STARTS = sa.text(
    "to_status IN ('nurture', 'unqualified') AND "
    "(from_status IS NULL OR from_status NOT IN ('nurture', 'unqualified'))"
)


def _time(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _period(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.String(10), nullable=nullable)


def upgrade() -> None:
    for name in ("email_invalid", "phone_invalid"):
        op.add_column(
            "leads", sa.Column(name, sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_index(
        "ix_status_history_disqualified",
        "status_history",
        ["lead_id", "changed_at"],
        sqlite_where=SPELL_STARTS,
        postgresql_where=SPELL_STARTS,
    )
    op.create_table(
        "recommendations",
        sa.Column("id", KEY, nullable=False),
        sa.Column("rule_key", sa.String(64), nullable=False),
        sa.Column("period_kind", sa.String(8), nullable=False),
        sa.Column("group_key", sa.String(64), nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("lead_source", sa.Text(), nullable=False),
        sa.Column("campaign", sa.Text(), nullable=False),
        sa.Column("reason", sa.String(64), nullable=False),
        _period("first_period"),
        _period("last_period"),
        _period("closed_period", nullable=True),
        _time("raised_at"),
        _time("closed_at", nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("evidence", JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_recommendations"),
    )
    op.create_index(
        "uq_recommendations_open_rule_key_period_kind_group_key",
        "recommendations",
        ["rule_key", "period_kind", "group_key"],
        unique=True,
        sqlite_where=OPEN,
        postgresql_where=OPEN,
    )
    op.create_table(
        "recommendation_rules",
        sa.Column("rule_key", sa.String(64), nullable=False),
        sa.Column("period_kind", sa.String(8), nullable=False),
        _period("evaluated_through"),
        _time("updated_at"),
        sa.PrimaryKeyConstraint("rule_key", "period_kind", name="pk_recommendation_rules"),
    )


def downgrade() -> None:
    op.drop_table("recommendation_rules")
    op.drop_index(
        "uq_recommendations_open_rule_key_period_kind_group_key", table_name="recommendations"
    )
    op.drop_table("recommendations")
    op.drop_index("ix_status_history_disqualified", table_name="status_history")
    with op.batch_alter_table("leads") as batch:
        batch.drop_column("phone_invalid")
        batch.drop_column("email_invalid")
