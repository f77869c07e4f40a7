"""Everything the report shows, computed in one pass over the counted leads."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from sync.config.settings import Settings
from sync.feedback.aggregate import Overlap, counted, kinds_for
from sync.feedback.collect import Collected, collect
from sync.feedback.config import PeriodKind
from sync.feedback.effects import Effect, effect
from sync.feedback.periods import Calendar
from sync.feedback.recommend import active_rules, rule_key
from sync.store import recommendations as history
from sync.store.aggregates import ReasonRow
from sync.store.funnel import FunnelRow
from sync.store.models import RecommendationRow
from sync.store.owners import OwnerRow

#: funnel breakdowns the report shows, over the whole window
BREAKDOWNS = ("source", "lead_source", "campaign", "owner")


@dataclass(frozen=True)
class RecommendationView:
    """One episode of a recommendation, with its numbers and its before/after."""

    rule: str
    message: str
    open: bool
    group: tuple[str, str, str]
    reason: str
    first_period: str
    last_period: str
    closed_period: str | None
    raised_at: datetime
    evidence: dict[str, Any]
    effect: Effect


@dataclass
class Report:
    generated_at: datetime
    timezone: str
    week_start: str
    period: PeriodKind
    recommendation_period: PeriodKind
    since: date | None
    labels: dict[str, str]
    reasons: list[ReasonRow]
    overlap: Overlap
    trend: list[FunnelRow]
    breakdowns: dict[str, list[FunnelRow]]
    owners: list[OwnerRow]
    recommendations: list[RecommendationView] = field(default_factory=list)
    skipped_rules: tuple[str, ...] = ()

    def as_data(self) -> dict[str, Any]:
        """The report as JSON-ready data (``--json``)."""
        data = asdict(self)
        data["reasons"] = [r._asdict() for r in self.reasons]
        for view, raw in zip(self.recommendations, data["recommendations"], strict=True):
            raw["effect"]["change"] = view.effect.change
            raw["effect"]["before"]["share"] = view.effect.before.share
            raw["effect"]["after"]["share"] = view.effect.after.share
        return data


def labels_of(settings: Settings) -> dict[str, str]:
    """Code -> label, with the two codes leadloop adds."""
    labels = {code: r.label for code, r in settings.catalogue.reasons.items()}
    return {**labels, "missing": "(no reason)", "unmapped": "(not in the catalogue)"}


def build_report(
    session: Session,
    settings: Settings,
    now: datetime,
    period: PeriodKind,
    since: date | None = None,
) -> Report:
    """The report over the counted leads (brings the recommendations' history up to date)."""
    config = settings.feedback
    with counted(session, settings, now, since, kinds=kinds_for(settings, (period,))) as found:
        collected = collect(found, settings, now, (period,))
        trend = found.funnel(["source"], period)
        breakdowns = {name: found.funnel([name]) for name in BREAKDOWNS}
        views = _recommendations(session, settings, found.calendar, collected, now)
        found.hold(_held(found.calendar, config.recommendation_period, views))
        owners = found.owners(config.recommendation_period)
    return Report(
        now, config.timezone, config.week_start, period, config.recommendation_period, since,
        labels_of(settings), collected.reasons[period], collected.overlap, trend, breakdowns,
        owners, views, collected.judged.skipped_rules,
    )  # fmt: skip


def _recommendations(
    session: Session,
    settings: Settings,
    calendar: Calendar,
    collected: Collected,
    now: datetime,
) -> list[RecommendationView]:
    config = settings.feedback
    kind = config.recommendation_period
    rules, _ = active_rules(config.recommendations, settings.catalogue)
    table, last = collected.table(kind), calendar.last_complete(kind, now)
    views = []
    for row in history.episodes(session, kind, [rule_key(rule) for rule in rules]):
        group = (row.source, row.lead_source, row.campaign)
        found = effect(
            table,
            calendar,
            kind,
            (group, row.reason, row.first_period),
            config.compare_periods,
            last,
        )
        views.append(_view(row, group, found))
    return views


def _view(row: RecommendationRow, group: tuple[str, str, str], found: Effect) -> RecommendationView:
    return RecommendationView(
        row.rule_key, row.message, row.closed_period is None, group, row.reason,
        row.first_period, row.last_period, row.closed_period, row.raised_at, row.evidence, found,
    )  # fmt: skip


def _held(
    calendar: Calendar, kind: PeriodKind, views: list[RecommendationView]
) -> list[tuple[str, str, str, str, str]]:
    """Every (period, group, reason) in which an episode held: its first to its last period."""
    return [
        (period, *view.group, view.reason)
        for view in views
        for period in calendar.keys(kind, view.first_period, view.last_period)
    ]
