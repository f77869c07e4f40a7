"""HubSpot wire formats: ISO timestamps with milliseconds and ``Z``, epoch millis, typed values.

Property values travel as strings (``"hs_object_id": "1001"``); datetime values are ISO-8601
with milliseconds and ``Z`` (``2026-02-25T16:23:49.023Z``); search filters on datetimes accept
epoch milliseconds or ISO strings. These helpers convert between the forms and give search a
comparable key per property type.
"""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime

EPOCH_UTC = datetime(1970, 1, 1, tzinfo=UTC)


def iso(moment: datetime) -> str:
    """``2026-02-25T16:23:49.023Z`` (UTC, milliseconds)."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def millis(moment: datetime) -> int:
    """Epoch milliseconds of an aware datetime."""
    delta = moment.astimezone(UTC) - EPOCH_UTC
    return delta.days * 86_400_000 + delta.seconds * 1000 + delta.microseconds // 1000


def from_millis(value: int) -> datetime:
    """The aware UTC datetime of epoch milliseconds."""
    return datetime.fromtimestamp(value / 1000, tz=UTC)


@functools.lru_cache(maxsize=262_144)
def to_millis(value: str) -> int | None:
    """Epoch millis of ``value`` given as millis, an ISO datetime or an ISO date (None: neither)."""
    text = value.strip()
    if not text:
        return None
    if text.lstrip("-").isdigit():
        return int(text)
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return millis(datetime(day.year, day.month, day.day, tzinfo=UTC))
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return millis(parsed)


def to_number(value: str) -> float | None:
    """The float of a number property value (None when it is not a number)."""
    try:
        return float(value)
    except ValueError:
        return None


SortKey = tuple[int, float | str]


def typed_key(kind: str, value: str | None) -> SortKey | None:
    """A comparable key for a property value of HubSpot type ``kind`` (None: no usable value).

    Numbers and datetimes compare numerically, strings case-insensitively. The leading int keeps
    keys of different shapes from being compared with each other (a bad number sorts after).
    """
    if value is None or value == "":
        return None
    if kind == "number":
        number = to_number(value)
        return (0, number) if number is not None else (1, value.casefold())
    if kind in ("datetime", "date"):
        stamp = to_millis(value)
        return (0, float(stamp)) if stamp is not None else (1, value.casefold())
    return (0, value.casefold())


def normalise_write(kind: str, value: str) -> str | None:
    """The stored form of a written value, or None when it is invalid for the type."""
    if value == "":
        return ""
    if kind == "number":
        return value if to_number(value) is not None else None
    if kind == "bool":
        lowered = value.lower()
        return lowered if lowered in ("true", "false") else None
    if kind == "datetime":
        stamp = to_millis(value)
        return iso(from_millis(stamp)) if stamp is not None else None
    if kind == "date":
        stamp = to_millis(value)
        return from_millis(stamp).date().isoformat() if stamp is not None else None
    return value
