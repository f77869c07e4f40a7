"""Status history says how each entry time is known; leads without one get theirs from it;
an index for duplicate emails within a source.

``status_history.basis``: ``crm_field`` (the CRM's own status-changed date), ``crm_history``
(the CRM's field history), ``observed`` (the CRM's stamp on the pull that first showed the
status) or ``first_seen`` (the lead was first seen in this status: its stamp then, an upper
bound). Rows written before this revision have none.

``leads.status_changed_at`` becomes when the lead entered its current status as far as
leadloop knows (the CRM's field when the mapping reads one, else the history above). Leads of
mappings without the field had none: they take their latest history row's time, which is
exactly what leadloop observed (issue 9.1: the grace period of ``require_reason`` was counted
from the modstamp leadloop's own flag write moves).

``ix_leads_source_email``: each page asks which of its emails other live leads of the same
source hold (duplicate-email findings); with only ``(source, status)`` and ``(email)`` SQLite
scanned every lead of the source per page (95 ms a page at 30,000 leads, growing with the org).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.add_column("status_history", sa.Column("basis", sa.String(16), nullable=True))
    op.execute(
        "UPDATE leads SET status_changed_at = ("
        " SELECT h.changed_at FROM status_history h WHERE h.lead_id = leads.id"
        " ORDER BY h.id DESC LIMIT 1"
        ") WHERE status_changed_at IS NULL"
    )
    op.create_index("ix_leads_source_email", "leads", ["source", "email"])


def downgrade() -> None:
    op.drop_index("ix_leads_source_email", table_name="leads")
    with op.batch_alter_table("status_history") as batch:
        batch.drop_column("basis")
