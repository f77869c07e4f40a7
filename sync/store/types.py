"""Column types shared by the models: UTC datetimes, JSON, big integer keys, string enums."""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import JSON, BigInteger, CheckConstraint, DateTime, Dialect, Integer, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator, TypeEngine

E = TypeVar("E", bound=enum.Enum)

#: JSON everywhere, JSONB on PostgreSQL (indexable, compact)
JSONType: TypeEngine[Any] = JSON().with_variant(JSONB(), "postgresql")

#: 64-bit keys on PostgreSQL; INTEGER on SQLite, where only that is an autoincrementing rowid
BigIntKey: TypeEngine[int] = BigInteger().with_variant(Integer(), "sqlite")


def as_utc(value: datetime) -> datetime:
    """``value`` in UTC; a naive datetime (or not a datetime at all) is refused."""
    if not isinstance(value, datetime):
        raise TypeError(f"expected a datetime, got {type(value).__name__}: {value!r}")
    if value.tzinfo is UTC:
        return value
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value.isoformat()} refused: pass a timezone-aware one")
    return value.astimezone(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored in UTC and always read back as an aware UTC datetime.

    PostgreSQL stores ``timestamptz``; SQLite has no time zones, so the UTC wall time is stored
    and UTC is attached on the way out. Naive datetimes are refused: their zone is a guess.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        utc = as_utc(value)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any] | None:
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)

        # SQLite stores text: render SQLAlchemy's own DATETIME format in C (isoformat) instead
        # of converting twice; bulk upserts spend most of their time here. Most values of a
        # bulk write are the same object (the run's "now" in every row), so the last one
        # rendered is kept: one (value, text) pair, replaced whole, so threads cannot mix them
        last: tuple[datetime | None, str | None] = (None, None)

        def process(value: datetime | None) -> str | None:
            nonlocal last
            if value is None:
                return None
            seen = last
            if value is seen[0]:
                return seen[1]
            # "YYYY-MM-DD HH:MM:SS.ffffff": the UTC offset suffix "+00:00" is cut off
            text = as_utc(value).isoformat(" ", "microseconds")[:26]
            last = (value, text)
            return text

        return process

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class StrEnumType(TypeDecorator[E], Generic[E]):
    """A Python enum stored as its string value in a VARCHAR (no native enum type to migrate)."""

    impl = String(16)
    cache_ok = True

    def __init__(self, enum_class: type[E]) -> None:
        super().__init__()
        self.enum_class = enum_class

    def process_bind_param(self, value: E | str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return str(self.enum_class(value).value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> E | None:
        return None if value is None else self.enum_class(value)


def one_of(states: type[enum.StrEnum]) -> CheckConstraint:
    """A CHECK that the ``state`` column holds one of ``states`` (named ``ck_<table>_state``)."""
    values = ", ".join(f"'{state.value}'" for state in states)
    return CheckConstraint(f"state IN ({values})", name="state")
