"""Days, weeks and months as marketing sees them: in ``feedback.timezone``, weeks starting on
``feedback.week_start``.

A period is named by its first local day, ``2026-03-09`` (a key that sorts in time order);
:meth:`Calendar.label` says it for people. The store buckets timestamps with the zone's UTC
offsets over the time span asked for (:meth:`Calendar.shifts`), so that SQLite, which knows no
time zones, and PostgreSQL bucket exactly alike.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sync.feedback.config import PeriodKind

#: (from this UTC instant on, the zone is this many seconds ahead of UTC), in time order
Shifts = tuple[tuple[datetime, int], ...]


@dataclass(frozen=True)
class Calendar:
    """Period arithmetic in one time zone. ``week_start``: 0 Monday .. 6 Sunday."""

    zone: ZoneInfo
    week_start: int = 0

    @classmethod
    def of(cls, timezone: str, week_start: int = 0) -> Calendar:
        return cls(ZoneInfo(timezone), week_start)

    def local_day(self, moment: datetime) -> date:
        """The calendar day ``moment`` falls on in the zone."""
        return moment.astimezone(self.zone).date()

    def start(self, kind: PeriodKind, day: date) -> date:
        """The first day of the ``kind`` period holding ``day``."""
        if kind == "day":
            return day
        if kind == "week":
            return day - timedelta(days=(day.weekday() - self.week_start) % 7)
        return day.replace(day=1)

    def following(self, kind: PeriodKind, start: date) -> date:
        """The first day of the period after the one starting on ``start``."""
        if kind == "day":
            return start + timedelta(days=1)
        if kind == "week":
            return start + timedelta(days=7)
        return (start.replace(day=28) + timedelta(days=4)).replace(day=1)

    def key(self, kind: PeriodKind, moment: datetime) -> str:
        """The key of the ``kind`` period ``moment`` falls in."""
        return self.start(kind, self.local_day(moment)).isoformat()

    def last_complete(self, kind: PeriodKind, now: datetime) -> str:
        """The key of the latest ``kind`` period that has ended by ``now``."""
        current = self.start(kind, self.local_day(now))
        return self.start(kind, current - timedelta(days=1)).isoformat()

    def keys(self, kind: PeriodKind, first: str, last: str) -> Iterator[str]:
        """Every period key from ``first`` to ``last`` (both included), in order."""
        start, end = date.fromisoformat(first), date.fromisoformat(last)
        while start <= end:
            yield start.isoformat()
            start = self.following(kind, start)

    def shifted(self, kind: PeriodKind, key: str, periods: int) -> str:
        """The key ``periods`` periods after (before, when negative) ``key``."""
        start = date.fromisoformat(key)
        for _ in range(abs(periods)):
            start = self.following(kind, start) if periods > 0 else self._previous(kind, start)
        return start.isoformat()

    def _previous(self, kind: PeriodKind, start: date) -> date:
        return self.start(kind, start - timedelta(days=1))

    def instant(self, day: date) -> datetime:
        """Local midnight starting ``day``, in UTC."""
        return datetime.combine(day, time(), self.zone).astimezone(UTC)

    def label(self, kind: PeriodKind, key: str) -> str:
        """The period for people: ``2026-03-09``, ``week of 2026-03-09``, ``2026-03``."""
        if kind == "week":
            return f"week of {key}"
        return key[:7] if kind == "month" else key

    def shifts(self, first: datetime, last: datetime) -> Shifts:
        """The zone's UTC offsets over ``[first, last]``: the first pair starts at ``first``,
        then one pair per change of offset (daylight saving time) inside the span."""
        found = [(first, self._offset(first))]
        moment = first
        while moment < last:
            step = min(moment + timedelta(days=1), last)
            if self._offset(step) != found[-1][1]:
                found.append((self._change_between(moment, step), self._offset(step)))
            moment = step
        return tuple(found)

    def _offset(self, moment: datetime) -> int:
        offset = moment.astimezone(self.zone).utcoffset()
        return int(offset.total_seconds()) if offset is not None else 0

    def _change_between(self, before: datetime, after: datetime) -> datetime:
        """The first whole second at which the offset is the one of ``after`` (zones change
        offsets on whole seconds): a binary search over epoch seconds."""
        target = self._offset(after)
        low, high = int(before.timestamp()), int(after.timestamp())
        while high - low > 1:
            middle = (low + high) // 2
            if self._offset(datetime.fromtimestamp(middle, UTC)) == target:
                high = middle
            else:
                low = middle
        return datetime.fromtimestamp(high, UTC)
