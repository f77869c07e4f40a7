"""Builders for test data: sensible defaults, override only what the test is about."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sync.domain import Lead, Status

#: the frozen "now" most tests evaluate at
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)

_LEAD = Lead(
    source="salesforce",
    external_id="00Q000000000001AAA",
    status=Status.WORKING,
    email="ada@example.com",
    company="Example Ltd",
    created_at=datetime(2026, 1, 5, 9, 0, tzinfo=UTC),
    status_changed_at=datetime(2026, 1, 6, 9, 0, tzinfo=UTC),
    modified_at=datetime(2026, 1, 6, 9, 0, tzinfo=UTC),
)


def lead(**overrides: Any) -> Lead:
    """A working Salesforce lead without reasons; ``overrides`` replace canonical fields."""
    return replace(_LEAD, **overrides)


class FrozenClock:
    """A clock that only moves when told to; leadloop and the emulators can share one."""

    def __init__(self, start: datetime = NOW) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta = timedelta(minutes=1), **parts: float) -> datetime:
        """Move on by ``delta`` (or by ``timedelta(**parts)``, e.g. ``advance(seconds=10)``)."""
        self.now += timedelta(**parts) if parts else delta
        return self.now
