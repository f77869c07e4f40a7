"""Human durations in config: ``90s``, ``15m``, ``3d``, ``2w``, ``1h30m`` (or plain seconds)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer

_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(w|d|h|m|s)")
_UNITS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}


def parse_duration(value: Any) -> timedelta:
    """Parse ``value`` into a non-negative timedelta; raise ValueError with the accepted forms."""
    if isinstance(value, timedelta):
        result = value
    elif isinstance(value, bool):
        raise ValueError("expected a duration such as 30s, 15m, 3d or 2w")
    elif isinstance(value, int | float):
        result = timedelta(seconds=value)
    elif isinstance(value, str) and value.strip():
        text = value.strip().lower().replace(" ", "")
        if text.startswith("-"):
            raise ValueError(f"duration must not be negative, got {value!r}")
        parts = _PART.findall(text)
        if not parts or "".join(n + u for n, u in parts) != text:
            raise ValueError(f"{value!r} is not a duration such as 30s, 15m, 3d, 2w or 1h30m")
        result = timedelta(seconds=sum(float(n) * _UNITS[u] for n, u in parts))
    else:
        raise ValueError("expected a duration such as 30s, 15m, 3d or 2w")
    if result < timedelta(0):
        raise ValueError(f"duration must not be negative, got {value!r}")
    return result


def format_duration(value: timedelta) -> str:
    seconds = int(value.total_seconds())
    for unit in ("w", "d", "h", "m"):
        if seconds and seconds % _UNITS[unit] == 0:
            return f"{seconds // _UNITS[unit]}{unit}"
    return f"{seconds}s"


Duration = Annotated[
    timedelta,
    BeforeValidator(parse_duration),
    PlainSerializer(format_duration, return_type=str, when_used="json"),
]
