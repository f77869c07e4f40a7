"""The report's charts, drawn by matplotlib as inline SVG that references nothing outside it.

matplotlib writes an XML prolog, a DOCTYPE pointing at the W3C's DTD, namespace URIs and an
RDF metadata block naming its website: all of that is cut, because the page must open
offline and contain no URL at all (an HTML5 page places ``<svg>`` in the SVG namespace by
itself). Text stays text (``svg.fonttype: none``), ids are stable (``svg.hashsalt``).
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import Any

import matplotlib
from matplotlib.figure import Figure

from sync.feedback.report.model import RecommendationView
from sync.feedback.report.summary import SourceSeries
from sync.store.funnel import FunnelRow
from sync.store.owners import OwnerRow

#: text as text, stable ids, a small font (Any: matplotlib types its keys as literals)
STYLE: Any = {"svg.fonttype": "none", "svg.hashsalt": "leadloop", "font.size": 9.0}
_PROLOG = re.compile(r"^.*?(?=<svg\b)", re.S)
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.S)
_NAMESPACES = re.compile(r'\s+xmlns(:\w+)?="[^"]*"')


def svg(figure: Figure) -> str:
    """``figure`` as an ``<svg>`` element with no reference outside the page."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = _PROLOG.sub("", buffer.getvalue(), count=1)
    return _NAMESPACES.sub("", _METADATA.sub("", text))


def _figure(width: float, height: float) -> Figure:
    return Figure(figsize=(width, height), layout="constrained")


def reasons_chart(series: SourceSeries, labels: dict[str, str]) -> str:
    """Stacked bars: each period's disqualified leads split by reason (shares)."""
    with matplotlib.rc_context(STYLE):
        figure = _figure(7.5, 3.2)
        axes = figure.add_subplot()
        x = range(len(series.periods))
        bottom = [0.0] * len(series.periods)
        for reason in series.leads:
            shares = [series.share(reason, i) or 0.0 for i in x]
            axes.bar(x, shares, bottom=bottom, label=labels.get(reason, reason))
            bottom = [b + s for b, s in zip(bottom, shares, strict=True)]
        _period_ticks(axes, series.periods)
        axes.set_ylim(0, 1)
        axes.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
        axes.set_title(f"{series.source}: reasons of disqualified leads")
        axes.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=8, frameon=False)
        return svg(figure)


def tick(period: str) -> str:
    """A period key as an axis label: a month as ``2026-03``, a day or week by its day."""
    return period[:7] if period.endswith("-01") and len(period) == 10 else period


#: labels on a period axis at most: more overlap on a 7.5-inch chart
MAX_TICKS = 12


def _period_ticks(axes: Any, periods: Sequence[str]) -> None:
    """One label per period, or every n-th (the last one always) when there are too many."""
    step = -(-len(periods) // MAX_TICKS)
    shown = [i for i in range(len(periods)) if (len(periods) - 1 - i) % step == 0]
    axes.set_xticks(shown, [tick(periods[i]) for i in shown], rotation=45, ha="right")


def compliance_chart(trend: Sequence[FunnelRow]) -> str:
    """Lines per source: reason-fill compliance and vague-or-legacy share per period."""
    periods = sorted({row.key[0] for row in trend})
    at = {period: i for i, period in enumerate(periods)}
    with matplotlib.rc_context(STYLE):
        figure = _figure(7.5, 3.0)
        axes = figure.add_subplot()
        for source in sorted({row.key[1] for row in trend}):
            rows = [r for r in trend if r.key[1] == source and r.compliance is not None]
            x = [at[r.key[0]] for r in rows]
            filled = [r.compliance or 0.0 for r in rows]
            vague = [r.vague_or_legacy_share or 0.0 for r in rows]
            axes.plot(x, filled, marker="o", label=f"{source}: filled")
            axes.plot(x, vague, linestyle="--", label=f"{source}: vague or legacy")
        _period_ticks(axes, periods)
        axes.set_ylim(0, 1.05)
        axes.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
        axes.set_title("Reason-fill compliance by period of creation")
        axes.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=8, frameon=False)
        return svg(figure)


def funnel_chart(rows: Sequence[FunnelRow]) -> str:
    """Horizontal bars per source: leads, disqualified (nurture, unqualified), converted."""
    stages = (
        ("leads", "leads"),
        ("disqualified", "disqualified"),
        ("nurture", "nurture"),
        ("unqualified", "unqualified"),
        ("converted", "converted"),
    )
    with matplotlib.rc_context(STYLE):
        figure = _figure(7.5, 0.9 + 0.9 * max(len(rows), 1))
        axes = figure.add_subplot()
        height = 0.8 / len(stages)
        for i, (attribute, label) in enumerate(stages):
            y = [n + i * height for n in range(len(rows))]
            axes.barh(y, [getattr(r, attribute) for r in rows], height=height, label=label)
        axes.set_yticks(
            [n + 0.4 - height / 2 for n in range(len(rows))], [" / ".join(r.key) for r in rows]
        )
        axes.invert_yaxis()
        axes.set_title("The funnel: leads created in the window, by source")
        axes.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=8, frameon=False)
        return svg(figure)


def owners_chart(owners: Sequence[OwnerRow]) -> str:
    """Horizontal bars per rep: share of disqualified leads with a catalogue reason."""
    shown = list(owners[:15])
    with matplotlib.rc_context(STYLE):
        figure = _figure(7.5, 0.8 + 0.3 * max(len(shown), 1))
        axes = figure.add_subplot()
        names = [f"{o.owner} ({o.disqualified})" for o in shown]
        axes.barh(names, [o.compliance for o in shown], color="tab:green")
        axes.set_xlim(0, 1)
        axes.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
        axes.invert_yaxis()
        axes.set_title("Owner scorecard: reasons filled from the catalogue (disqualified leads)")
        return svg(figure)


def effects_chart(views: Sequence[RecommendationView]) -> str:
    """Paired bars per recommendation: the reason's share before and after it was raised."""
    with matplotlib.rc_context(STYLE):
        figure = _figure(7.5, 0.9 + 0.5 * max(len(views), 1))
        axes = figure.add_subplot()
        y = range(len(views))
        before = [v.effect.before.share or 0.0 for v in views]
        after = [v.effect.after.share or 0.0 for v in views]
        axes.barh([n - 0.2 for n in y], before, height=0.4, label="before", color="tab:gray")
        axes.barh([n + 0.2 for n in y], after, height=0.4, label="after", color="tab:blue")
        names = [f"{v.reason}: {' / '.join(v.group[1:])} ({v.first_period})" for v in views]
        axes.set_yticks(list(y), names)
        axes.invert_yaxis()
        axes.set_xlim(0, max([*before, *after, 0.2]) * 1.1)
        axes.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
        axes.set_title("Reason's share before and after the recommendation was first raised")
        axes.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=8, frameon=False)
        return svg(figure)
