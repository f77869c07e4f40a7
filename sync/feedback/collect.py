"""What ``leadloop feedback`` and ``leadloop report`` both do first: aggregate the reasons of
every period kind they need, find the overlap, and bring the recommendations up to date."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime

from sync.config.settings import Settings
from sync.feedback.aggregate import Counted, Overlap, kinds_for
from sync.feedback.config import PeriodKind
from sync.feedback.recommend import Judge, Judged, Table, active_rules, table_of
from sync.store.aggregates import ReasonRow

log = logging.getLogger(__name__)


@dataclass
class Collected:
    """Reason aggregates per period kind, the overlap, and what judging the rules did."""

    reasons: dict[PeriodKind, list[ReasonRow]]
    overlap: Overlap
    judged: Judged = field(default_factory=Judged)
    open: list[str] = field(default_factory=list)  # open recommendations' messages
    splits: tuple[tuple[str, ...], ...] = ()  # the rules' `by`: the pooled groups they need

    def table(self, kind: PeriodKind) -> Table:
        return table_of(self.reasons.get(kind, ()), self.splits)


def collect(
    found: Counted,
    settings: Settings,
    now: datetime,
    kinds: tuple[PeriodKind, ...],
    judge: bool = True,
) -> Collected:
    """Aggregate ``kinds`` (and the recommendations' period) and, when ``judge``, judge the
    rules on the complete periods not judged yet (writes the history in the caller's
    transaction)."""
    config = settings.feedback
    wanted = kinds_for(settings, kinds)
    collected = Collected({kind: found.reasons(kind) for kind in wanted}, found.overlap())
    rules, unknown = active_rules(config.recommendations, settings.catalogue)
    collected.splits = tuple(rule.by for rule in rules)
    if unknown:
        log.warning(
            "recommendation rules for %s skipped: the reason catalogue has no such code",
            ", ".join(unknown),
        )
    if judge:
        kind = config.recommendation_period
        judging = Judge(found.session, found.calendar, kind, now)
        first = _first_period(found, kind, found.since)
        collected.judged = judging.run(rules, collected.table(kind), first)
    collected.judged.skipped_rules = tuple(unknown)
    return collected


def _first_period(found: Counted, kind: PeriodKind, since: date | None) -> str | None:
    """The first period whose numbers are whole: the one starting on or after ``since``."""
    if since is None:
        return None
    start = found.calendar.start(kind, since)
    return start.isoformat() if start >= since else found.calendar.shifted(kind, str(start), 1)
