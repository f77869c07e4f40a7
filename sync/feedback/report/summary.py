"""Report summaries shared by the terminal and the HTML page: reasons per source over the
latest periods (summed over lead sources and campaigns), the top of a funnel breakdown."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sync.store.aggregates import ReasonRow
from sync.store.funnel import FunnelRow

#: reasons shown per source; the rest are summed as "other"
TOP_REASONS = 8
OTHER = "other"


@dataclass(frozen=True)
class SourceSeries:
    """One source's reasons over periods: ``leads[reason][i]`` of ``disqualified[i]``."""

    source: str
    periods: tuple[str, ...]
    disqualified: tuple[int, ...]
    leads: dict[str, tuple[int, ...]]

    def share(self, reason: str, index: int) -> float | None:
        total = self.disqualified[index]
        return self.leads[reason][index] / total if total else None


def reasons_by_source(rows: Iterable[ReasonRow], last: int) -> list[SourceSeries]:
    """Per source, its top reasons over its ``last`` periods with data, in time order."""
    counts: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for row in rows:
        per_reason = counts[row.source][row.period]
        per_reason[row.reason] = per_reason.get(row.reason, 0) + row.leads
    return [_series(source, counts[source], last) for source in sorted(counts)]


def _series(source: str, periods: dict[str, dict[str, int]], last: int) -> SourceSeries:
    shown = tuple(sorted(periods)[-last:])
    totals: dict[str, int] = defaultdict(int)
    for period in shown:
        for reason, n in periods[period].items():
            totals[reason] += n
    ranked = sorted(totals, key=lambda r: (-totals[r], r))
    top, rest = ranked[:TOP_REASONS], set(ranked[TOP_REASONS:])
    leads = {r: tuple(periods[p].get(r, 0) for p in shown) for r in top}
    if rest:
        leads[OTHER] = tuple(sum(periods[p].get(r, 0) for r in rest) for p in shown)
    disqualified = tuple(sum(periods[p].values()) for p in shown)
    return SourceSeries(source, shown, disqualified, leads)


def top(rows: Sequence[FunnelRow], limit: int) -> list[FunnelRow]:
    """The ``limit`` groups with the most leads (then by name)."""
    return sorted(rows, key=lambda r: (-r.leads, r.key))[:limit]
