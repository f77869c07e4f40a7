"""The one declarative base: every table shares its metadata and constraint naming convention.

A fixed naming convention gives every index and constraint the same name on SQLite and
PostgreSQL, so migrations can address them by name (and batch mode on SQLite can rebuild them).
"""

from __future__ import annotations

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every leadloop table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
