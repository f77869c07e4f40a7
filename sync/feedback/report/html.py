"""The report as one self-contained HTML page: inline CSS, inline SVG charts, no script, no
font, no image, no link: it opens offline and references nothing outside itself."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from sync.feedback.report import charts
from sync.feedback.report.model import RecommendationView, Report
from sync.feedback.report.summary import reasons_by_source, top
from sync.feedback.report.tables import percent
from sync.feedback.report.terminal import (
    FUNNEL_HEADERS,
    funnel_cells,
    overlap_sentence,
    recommendation_lines,
)

#: periods per chart of reasons over time
CHART_PERIODS = 12
CSS = """
body { font: 14px/1.45 system-ui, sans-serif; color: #1b1f24; margin: 2rem auto;
       max-width: 70rem; padding: 0 1rem; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 2.2rem;
border-bottom: 1px solid #d0d7de; }
table { border-collapse: collapse; margin: .6rem 0 1rem; font-size: 13px; }
th, td { padding: .25rem .6rem; border-bottom: 1px solid #eaeef2; text-align: right; }
th:first-child, td:first-child { text-align: left; }
.note { color: #57606a; } .open { color: #1a7f37; font-weight: 600; }
.closed { color: #57606a; font-weight: 600; }
.rec { border-left: 3px solid #0969da; padding: .2rem .8rem; margin: .8rem 0; }
svg { max-width: 100%; height: auto; }
"""


def _table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    head = "".join(f"<th>{escape(str(h))}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _reasons(report: Report) -> str:
    series = reasons_by_source(report.reasons, CHART_PERIODS)
    if not series:
        return "<p class='note'>No disqualified leads in the window.</p>"
    return "".join(charts.reasons_chart(s, report.labels) for s in series)


NO_LEADS = "<p class='note'>No leads in the window.</p>"


def _compliance(report: Report) -> str:
    return charts.compliance_chart(report.trend) if report.trend else NO_LEADS


def _funnel(report: Report) -> str:
    if not report.breakdowns["source"]:
        return NO_LEADS
    parts = [charts.funnel_chart(report.breakdowns["source"])]
    for name, title in (
        ("source", "source"),
        ("lead_source", "lead source"),
        ("campaign", "campaign"),
    ):
        rows = top(report.breakdowns[name], 15)
        body = [[" / ".join(r.key), *funnel_cells(r)] for r in rows]
        parts.append(f"<h3>By {title}</h3>" + _table([title, *FUNNEL_HEADERS], body))
    return "".join(parts)


def _owners(report: Report) -> str:
    if not report.owners:
        return "<p class='note'>No disqualified leads in the window.</p>"
    rows = [
        [o.owner, o.disqualified, o.with_reason, percent(o.compliance), o.vague_or_legacy,
         o.fed_recommendations]
        for o in report.owners
    ]  # fmt: skip
    headers = [
        "owner",
        "disqualified",
        "with a reason",
        "filled",
        "vague or legacy",
        "fed a recommendation",
    ]
    return charts.owners_chart(report.owners) + _table(headers, rows)


def _recommendation(report: Report, view: RecommendationView) -> str:
    state = "open" if view.open else "closed"
    lines = recommendation_lines(report, view)
    details = "".join(f"<div>{escape(line.strip())}</div>" for line in lines[2:] if line)
    return (
        f"<div class='rec'><div class='{state}'>{escape(lines[0].strip())}</div>"
        f"<div><strong>{escape(view.message)}</strong></div>{details}</div>"
    )


def _recommendations(report: Report) -> str:
    if not report.recommendations:
        return "<p class='note'>No recommendation has held yet.</p>"
    items = "".join(_recommendation(report, v) for v in report.recommendations)
    return charts.effects_chart(report.recommendations) + items


def _overlap(report: Report) -> str:
    return f"<p>{escape(overlap_sentence(report))}</p>"


def render(report: Report) -> str:
    """The page as text (UTF-8)."""
    window = f"leads since {report.since}" if report.since else "all leads"
    sections = [
        ("Reasons by source over time", _reasons(report)),
        ("Reason-fill compliance", _compliance(report)),
        ("The funnel", _funnel(report)),
        ("Owner scorecard", _owners(report)),
        ("Recommendations", _recommendations(report)),
        ("People in both CRMs", _overlap(report)),
    ]
    body = "".join(f"<h2>{escape(title)}</h2>{html}" for title, html in sections)
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<title>leadloop: feedback to marketing</title>"
        f"<style>{CSS}</style></head><body><h1>Feedback to marketing</h1>"
        f"<p class='note'>{escape(report.period)}s in {escape(report.timezone)}, weeks from "
        f"{escape(report.week_start)}; {escape(window)}; generated "
        f"{report.generated_at:%Y-%m-%d %H:%M} UTC by leadloop.</p>{body}</body></html>\n"
    )
