"""Did marketing's change work? A reason's share in a group before and after a recommendation
about it was first raised.

Before: the ``compare_periods`` periods just before the episode's first period; after: up to
``compare_periods`` complete periods following it. Each side pools its periods (their leads
with the reason over their disqualified leads), so a quiet week weighs what it holds.
"""

from __future__ import annotations

from dataclasses import dataclass

from sync.feedback.config import PeriodKind
from sync.feedback.periods import Calendar
from sync.feedback.recommend import Table
from sync.store.recommendations import Group


@dataclass(frozen=True)
class Side:
    """A reason's pooled share over some periods: ``leads`` of ``disqualified``."""

    periods: tuple[str, ...]
    leads: int
    disqualified: int

    @property
    def share(self) -> float | None:
        return self.leads / self.disqualified if self.disqualified else None


@dataclass(frozen=True)
class Effect:
    before: Side
    after: Side

    @property
    def change(self) -> float | None:
        """After minus before, in share points (None while either side has no leads)."""
        if self.before.share is None or self.after.share is None:
            return None
        return self.after.share - self.before.share


def side(table: Table, group: Group, reason: str, periods: tuple[str, ...]) -> Side:
    leads = disqualified = 0
    for period in periods:
        reasons = table.get(period, {}).get(group, {})
        if reasons:
            disqualified += next(iter(reasons.values())).disqualified
            found = reasons.get(reason)
            leads += found.leads if found is not None else 0
    return Side(periods, leads, disqualified)


def effect(
    table: Table,
    calendar: Calendar,
    kind: PeriodKind,
    episode: tuple[Group, str, str],
    compare: int,
    last_complete: str,
) -> Effect:
    """Before and after for ``episode`` = (group, reason, first period)."""
    group, reason, first = episode
    before = tuple(calendar.shifted(kind, first, -n) for n in range(compare, 0, -1))
    after = tuple(
        p
        for p in (calendar.shifted(kind, first, n) for n in range(1, compare + 1))
        if p <= last_complete
    )
    return Effect(side(table, group, reason, before), side(table, group, reason, after))
