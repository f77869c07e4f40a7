"""Alembic migrations of the leadloop store, run programmatically by :mod:`sync.store.db`."""
