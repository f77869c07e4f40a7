"""The report as terminal text: reasons by source, funnels, owners, recommendations, overlap."""

from __future__ import annotations

from sync.feedback.effects import Side
from sync.feedback.periods import Calendar
from sync.feedback.report.model import RecommendationView, Report
from sync.feedback.report.summary import OTHER, reasons_by_source, top
from sync.feedback.report.tables import days, percent, table
from sync.store.funnel import FunnelRow

#: periods shown in the terminal's reasons table
TERMINAL_PERIODS = 4
TOP_GROUPS = 10
FUNNEL_HEADERS = (
    "leads", "disq.", "nurture", "converted", "with reason", "vague/legacy",
    "days to disq.", "sales cycle", "reason linger",
)  # fmt: skip


def render(report: Report) -> list[str]:
    """The whole report as lines."""
    since = f"leads since {report.since}" if report.since else "all leads"
    lines = [
        "leadloop report: feedback to marketing",
        f"  {report.period}s in {report.timezone}, weeks from {report.week_start}; {since}",
        "",
    ]
    lines += _reasons(report)
    lines += _funnel("Funnel by source (leads created in the window)", report.breakdowns["source"])
    for name, title in (("lead_source", "lead source"), ("campaign", "campaign")):
        rows = top(report.breakdowns[name], TOP_GROUPS)
        lines += _funnel(f"Funnel by {title} (top {TOP_GROUPS} by leads)", rows)
    lines += _owners(report)
    lines += _recommendations(report)
    lines += _overlap(report)
    return lines


def _reasons(report: Report) -> list[str]:
    series = reasons_by_source(report.reasons, TERMINAL_PERIODS)
    if not series:
        return ["No disqualified leads in the window.", ""]
    lines = [f"Reasons by source, share of disqualified leads per {report.period}", ""]
    for one in series:
        headers = [one.source, *(p[5:] if report.period != "month" else p[:7] for p in one.periods)]
        rows: list[list[object]] = [
            [_label(report, reason), *(percent(one.share(reason, i)) for i in range(len(counts)))]
            for reason, counts in one.leads.items()
        ]
        rows.append(["disqualified leads", *one.disqualified])
        lines += [*table(headers, rows), ""]
    return lines


def _label(report: Report, code: str) -> str:
    return "other reasons" if code == OTHER else report.labels.get(code, code)


def funnel_cells(row: FunnelRow) -> list[object]:
    return [
        row.leads, percent(row.disqualification_rate), percent(row.nurture_rate),
        percent(row.conversion_rate), percent(row.compliance), percent(row.vague_or_legacy_share),
        days(row.median_days_to_disqualify), days(row.median_sales_cycle_days),
        days(row.median_reason_linger_days),
    ]  # fmt: skip


def _funnel(title: str, rows: list[FunnelRow]) -> list[str]:
    if not rows:
        return []
    body = [[" / ".join(row.key), *funnel_cells(row)] for row in rows]
    return [title, "", *table(["", *FUNNEL_HEADERS], body), ""]


def _owners(report: Report) -> list[str]:
    if not report.owners:
        return []
    rows = [
        [o.owner, o.disqualified, o.with_reason, percent(o.compliance), o.vague_or_legacy,
         o.fed_recommendations]
        for o in report.owners[:20]
    ]  # fmt: skip
    headers = ["owner", "disqualified", "with reason", "filled", "vague/legacy", "fed a rule"]
    return ["Owner scorecard (leads disqualified in the window)", "", *table(headers, rows), ""]


def _recommendations(report: Report) -> list[str]:
    if not report.recommendations:
        return ["No recommendation has held yet.", ""]
    lines = [f"Recommendations (judged per {report.recommendation_period})", ""]
    for view in report.recommendations:
        lines += recommendation_lines(report, view)
    return lines


def recommendation_lines(report: Report, view: RecommendationView) -> list[str]:
    calendar = Calendar.of(report.timezone)
    kind = report.recommendation_period
    state = "open" if view.open else f"closed {calendar.label(kind, view.closed_period or '')}"
    ev, change = view.evidence, view.effect.change
    return [
        f"  [{state}] since {calendar.label(kind, view.first_period)}: {' / '.join(view.group)}",
        f"    {view.message}",
        f"    evidence ({ev['period_label']}): {ev['count']} of {ev['sample']} disqualified "
        f"leads ({percent(ev['share'])}), valid contact data {percent(ev['valid_contact_share'])}",
        f"    before: {_side(view.effect.before, kind)}; after: {_side(view.effect.after, kind)}"
        + ("" if change is None else f" ({change * 100:+.0f} points)"),
        "",
    ]


def _side(side: Side, kind: str) -> str:
    if not side.disqualified:
        return (
            f"no disqualified leads in {len(side.periods)} {kind}s" if side.periods else "not yet"
        )
    return f"{percent(side.share)} of {side.disqualified} leads in {len(side.periods)} {kind}s"


def overlap_sentence(report: Report) -> str:
    """Who is counted in more than one source, in one sentence."""
    overlap = report.overlap
    if not overlap.people:
        return "No disqualified person is counted in two sources."
    per_source = ", ".join(f"{s} {n}" for s, n in overlap.per_source.items())
    people = (
        "1 disqualified person is"
        if overlap.people == 1
        else f"{overlap.people} disqualified people are"
    )
    return f"{people} in more than one source, counted once in each ({per_source})."


def _overlap(report: Report) -> list[str]:
    return [overlap_sentence(report)]
