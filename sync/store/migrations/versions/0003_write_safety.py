"""Outbox: the values each correction was decided on (the writers' conflict check).

``expected`` maps CRM fields to the values the correction was evaluated on (the fields it
changes and those its decision depended on): a writer refuses a correction whose record no
longer reads so, which a whole-second modstamp alone cannot see. Items stored before keep
NULL and are checked on their own field's old value.

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

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("expected", JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("expected")
