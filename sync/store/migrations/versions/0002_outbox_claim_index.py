"""Outbox: an index for claiming, oldest first, per source and state.

Without it, each claim sorted every claimable item of the store (a temporary B-tree over
46,000 rows per batch of 200 in a 100,000-lead full sync); with it each state's oldest items
are read in index order.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_index("ix_outbox_source_state_id", "outbox", ["source", "state", "id"])


def downgrade() -> None:
    op.drop_index("ix_outbox_source_state_id", table_name="outbox")
