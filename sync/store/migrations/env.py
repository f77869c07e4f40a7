"""Alembic environment: always online, on the connection :mod:`sync.store.db` hands over.

There is no alembic.ini and no URL here: ``sync.store.db.alembic_config`` builds the Config in
code and passes an open connection in ``config.attributes["connection"]``.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from sync.store import models  # noqa: F401  (registers every table on the metadata)
from sync.store.base import Base


def run_migrations(connection: Connection) -> None:
    """Run the pending migrations in one transaction on ``connection``."""
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        # SQLite cannot ALTER most things: batch mode rebuilds the table instead
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


_connection = context.config.attributes.get("connection")
if not isinstance(_connection, Connection):
    raise RuntimeError("leadloop migrations run through `leadloop db upgrade`, not the alembic CLI")
run_migrations(_connection)
