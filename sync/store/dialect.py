"""Dialect-specific statements the store needs on both SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def dialect_insert(session: Session, model: Any) -> postgresql.Insert | sqlite.Insert:
    """An INSERT for ``model`` that supports ``ON CONFLICT`` on the session's database."""
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert(model)
    if name == "sqlite":
        return sqlite.insert(model)
    raise NotImplementedError(f"leadloop's store supports SQLite and PostgreSQL, not {name}")
