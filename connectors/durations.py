"""Human durations in config: ``90s``, ``15m``, ``3d``, ``2w``, ``1h30m``, always with a unit.

A bare number is refused (``every: 15`` could mean seconds or minutes), except ``0``, which
means the same in every unit. Every duration is at most :data:`LONGEST` (a value past it is a
typo, and past ``timedelta``'s range it would crash); keys with a tighter sensible bound take
:func:`at_most`, whose message says why.
"""

from __future__ import annotations

import math
import re
from datetime import timedelta
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer

_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(w|d|h|m|s)")
_UNITS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}
_FORMS = "a duration such as 30s, 15m, 3d, 2w or 1h30m"
LONGEST = timedelta(days=3650)
_LONGEST_WHY = "about ten years"


def _no_unit(number: str) -> ValueError:
    return ValueError(
        f"{number} has no unit: write {number}s for {number} seconds or {number}m for "
        f"{number} minutes (units: s, m, h, d, w)"
    )


def _seconds(value: Any) -> float:
    """The seconds ``value`` stands for (a float: it may be past timedelta's range)."""
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        if value < 0:
            raise ValueError(f"duration must not be negative, got {value}")
        if value:
            raise _no_unit(str(value) if isinstance(value, int) else f"{value:f}".rstrip("0"))
        return 0.0
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"expected {_FORMS}")
    text = value.strip().lower().replace(" ", "")
    if text.startswith("-"):
        raise ValueError(f"duration must not be negative, got {value!r}")
    if text.replace(".", "", 1).isdigit() and float(text):
        raise _no_unit(text)
    parts = _PART.findall(text)
    if text != "0" and (not parts or "".join(n + u for n, u in parts) != text):
        raise ValueError(f"{value!r} is not {_FORMS}")
    return sum(float(n) * _UNITS[u] for n, u in parts)


def parse_duration(value: Any, limit: timedelta = LONGEST, why: str = _LONGEST_WHY) -> timedelta:
    """Parse ``value`` into a timedelta from zero to ``limit``; raise ValueError saying what
    is accepted (``why`` tells where ``limit`` comes from)."""
    seconds = _seconds(value)
    if seconds < 0:
        raise ValueError(f"duration must not be negative, got {format_duration(value)}")
    if seconds > limit.total_seconds():
        raise ValueError(f"at most {format_duration(limit)} ({why})")
    return value if isinstance(value, timedelta) else timedelta(seconds=seconds)


def format_duration(value: timedelta) -> str:
    seconds = int(value.total_seconds())
    for unit in ("w", "d", "h", "m"):
        if seconds and seconds % _UNITS[unit] == 0:
            return f"{seconds // _UNITS[unit]}{unit}"
    return f"{seconds}s"


def at_most(limit: timedelta, why: str) -> BeforeValidator:
    """A tighter bound for one key: ``Annotated[Duration, at_most(timedelta(days=1), why)]``.

    It runs before :data:`Duration`'s own parsing, so a value past both bounds gets this
    key's message."""
    return BeforeValidator(lambda value: parse_duration(value, limit, why))


Duration = Annotated[
    timedelta,
    BeforeValidator(parse_duration),
    PlainSerializer(format_duration, return_type=str, when_used="json"),
]
