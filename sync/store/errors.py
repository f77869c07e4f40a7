"""The store's error taxonomy: every error it raises on purpose is a :class:`StoreError`."""

from __future__ import annotations

from sqlalchemy.exc import SQLAlchemyError

#: what the database driver raised below the store (a lost connection, a constraint, a lock)
DatabaseError = SQLAlchemyError


class StoreError(Exception):
    """The database cannot be used as a leadloop store (unreachable, corrupt, foreign)."""


class SchemaOutOfDate(StoreError):
    """The database schema is not at the revision this leadloop needs."""


class IllegalTransition(StoreError):
    """A run or outbox item was asked to move to a state its current state cannot reach."""
