"""The canonical store: SQLAlchemy models, repository functions and Alembic migrations.

Import the parts you need (``sync.store.db``, ``sync.store.leads``, ...); this package
itself only re-exports the error types, so importing it is cheap and has no side effects.
"""

from sync.store.errors import IllegalTransition, SchemaOutOfDate, StoreError

__all__ = ["IllegalTransition", "SchemaOutOfDate", "StoreError"]
