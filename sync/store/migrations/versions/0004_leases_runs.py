"""Leases record their process and since when; runs can end aborted or stopped.

``leases.instance`` names the process holding a lease (worker name, host, pid) so a restarted
worker can take its own lease back at once; ``leases.acquired_at`` says since when ("source X is
being synced by worker W since T"). Runs gain two final states: ``aborted`` (Ctrl-C, SIGTERM, a
lost lease) and ``stopped`` (the daily API allowance ran out: not a failure).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None

_OLD = "state IN ('queued', 'running', 'succeeded', 'failed', 'dead')"
_NEW = "state IN ('queued', 'running', 'succeeded', 'failed', 'dead', 'aborted', 'stopped')"


def _time(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=True)


def upgrade() -> None:
    with op.batch_alter_table("leases") as batch:
        batch.add_column(sa.Column("instance", sa.String(255), nullable=False, server_default=""))
        batch.add_column(_time("acquired_at"))
    with op.batch_alter_table("leases") as batch:
        batch.alter_column("instance", server_default=None)
    with op.batch_alter_table("runs") as batch:
        batch.drop_constraint("ck_runs_state", type_="check")
        batch.create_check_constraint("ck_runs_state", _NEW)


def downgrade() -> None:
    op.execute("UPDATE runs SET state = 'failed' WHERE state IN ('aborted', 'stopped')")
    with op.batch_alter_table("runs") as batch:
        batch.drop_constraint("ck_runs_state", type_="check")
        batch.create_check_constraint("ck_runs_state", _OLD)
    with op.batch_alter_table("leases") as batch:
        batch.drop_column("acquired_at")
        batch.drop_column("instance")
