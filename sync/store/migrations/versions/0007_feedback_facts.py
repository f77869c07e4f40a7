"""``leads.disqualified_at``: when each lead last started a spell in nurture or unqualified.

The latest ``changed_at`` of the lead's status changes into nurture or unqualified from any
other status (or first seen in one): what feedback counts a disqualified lead's period from.
Feedback derived it from the status history on every run (a join of the history's partial
index with every disqualified lead); the store now keeps it on the lead as it writes the
history, and this revision fills it for the leads already stored.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | None = None
depends_on: str | None = None

#: as sync.store.models.SPELL_STARTS has it (a revision keeps its own copy)
SPELL_STARTS = (
    "to_status IN ('nurture', 'unqualified') AND "
    "(from_status IS NULL OR from_status NOT IN ('nurture', 'unqualified'))"
)


def upgrade() -> None:
    op.add_column("leads", sa.Column("disqualified_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE leads SET disqualified_at = ("  # noqa: S608 (constants only)
        f" SELECT max(h.changed_at) FROM status_history h WHERE h.lead_id = leads.id"
        f" AND {SPELL_STARTS}"
        f") WHERE id IN (SELECT lead_id FROM status_history WHERE {SPELL_STARTS})"
    )


def downgrade() -> None:
    with op.batch_alter_table("leads") as batch:
        batch.drop_column("disqualified_at")
