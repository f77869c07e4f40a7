"""The rows ``peers.py`` measures, the table it prints and the goals it checks (no I/O here)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

FULL_SALESFORCE = "Salesforce full sync"
FULL_HUBSPOT = "HubSpot full sync"
NO_CHANGE_SALESFORCE = "Salesforce no-change incremental"
NO_CHANGE_HUBSPOT = "HubSpot no-change incremental"
FIGURES = (FULL_SALESFORCE, NO_CHANGE_SALESFORCE, FULL_HUBSPOT, NO_CHANGE_HUBSPOT)
LEADLOOP = "leadloop"
#: a long-running ``leadloop run``'s next cycle: its connector (session) kept from the last
DAEMON = "leadloop run, kept connector"
FLOOR = "floor"
#: issue 14: a full sync at least this many times faster than a tap's bare extraction
SPEED_GOAL = 2.0
#: issue 14: a no-change incremental sync under this many seconds, at most so many calls
NO_CHANGE_SECONDS, NO_CHANGE_CALLS = 1.0, 2


@dataclass
class Row:
    """One measured run (or one that could not run: ``problem`` says why)."""

    figure: str
    who: str
    records: int | None = None
    seconds: float | None = None
    calls: Counter[str] = field(default_factory=Counter)
    problem: str = ""
    cpu: float | None = None  # CPU seconds of the client's process (user + system)
    spread: tuple[float, float] | None = None  # fastest and slowest seconds of repeated runs

    @property
    def ran(self) -> bool:
        return not self.problem and self.seconds is not None

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())


def calls_text(calls: Counter[str]) -> str:
    """``query 1, query_more 49`` (operations by the emulator's names, most first)."""
    return ", ".join(f"{op} {n}" for op, n in sorted(calls.items(), key=lambda kv: (-kv[1], kv[0])))


def table(rows: list[Row]) -> str:
    """A Markdown table of ``rows`` in figure order."""
    lines = [
        "| figure | run | records | seconds | CPU s | API calls | calls by operation |",
        "| --- | --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for figure in FIGURES:
        for row in (r for r in rows if r.figure == figure):
            if row.ran:
                cells = [
                    f"{row.records:,}" if row.records is not None else "",
                    _seconds_text(row),
                    f"{row.cpu:.2f}" if row.cpu is not None else "",
                    str(row.total_calls),
                    calls_text(row.calls),
                ]
            else:
                cells = ["", "", "", str(row.total_calls or ""), f"not run: {row.problem}"]
            lines.append("| " + " | ".join([figure, row.who, *cells]) + " |")
    return "\n".join(lines)


def _seconds_text(row: Row) -> str:
    assert row.seconds is not None
    if row.spread is None:
        return f"{row.seconds:.2f}"
    return f"{row.seconds:.2f} ({row.spread[0]:.2f}-{row.spread[1]:.2f})"


def median_rows(rows: list[Row]) -> list[Row]:
    """One row per (figure, run): of repeated runs, the one with the median wall seconds
    (the lower one of an even count), its spread noted; a run that never ran stays as is."""
    groups: dict[tuple[str, str], list[Row]] = {}
    for row in rows:
        groups.setdefault((row.figure, row.who), []).append(row)
    chosen = []
    for group in groups.values():
        ran = sorted((r for r in group if r.ran), key=lambda r: r.seconds or 0.0)
        if not ran:
            chosen.append(group[0])
            continue
        middle = ran[(len(ran) - 1) // 2]
        if len(group) > 1:
            middle.spread = (ran[0].seconds or 0.0, ran[-1].seconds or 0.0)
        chosen.append(middle)
    return chosen


def _find(rows: list[Row], figure: str, who: str) -> Row | None:
    return next((r for r in rows if r.figure == figure and r.who == who and r.ran), None)


def _mark(met: bool) -> str:
    return "met" if met else "MISSED"


def comparisons(rows: list[Row]) -> list[str]:
    """One line per ratio: leadloop against the floor and against each tap, goals checked."""
    lines = []
    floor, ours = _find(rows, FULL_SALESFORCE, FLOOR), _find(rows, FULL_SALESFORCE, LEADLOOP)
    if floor and ours and floor.seconds and ours.seconds:
        lines.append(
            f"{FULL_SALESFORCE}: leadloop / floor = {ours.seconds / floor.seconds:.2f}x time"
        )
    for figure in FIGURES:
        for who in (LEADLOOP, DAEMON):
            lines += _figure_lines(rows, figure, who)
    return lines


def _figure_lines(rows: list[Row], figure: str, who: str) -> list[str]:
    """``who``'s run of ``figure`` against each tap's, and against the no-change goal."""
    ours = _find(rows, figure, who)
    if ours is None or not ours.seconds:
        return []
    lines = []
    for peer in (r for r in rows if r.figure == figure and r.ran):
        if peer.who not in (LEADLOOP, DAEMON, FLOOR) and peer.seconds:
            lines.append(_against(figure, ours, peer))
    if figure in (NO_CHANGE_SALESFORCE, NO_CHANGE_HUBSPOT):
        met = ours.seconds < NO_CHANGE_SECONDS and ours.total_calls <= NO_CHANGE_CALLS
        lines.append(
            f"{figure}: {who} {ours.seconds:.2f} s, {ours.total_calls} calls (goal < "
            f"{NO_CHANGE_SECONDS:g} s and <= {NO_CHANGE_CALLS} calls: {_mark(met)})"
        )
    return lines


def _against(figure: str, ours: Row, peer: Row) -> str:
    assert ours.seconds and peer.seconds
    speed = peer.seconds / ours.seconds
    faster = f"{speed:.2f}x faster" if speed >= 1 else f"{1 / speed:.2f}x slower"
    line = f"{figure}: {ours.who} vs {peer.who}: {faster}"
    if figure in (FULL_SALESFORCE, FULL_HUBSPOT):
        line += f" (goal >= {SPEED_GOAL:g}x: {_mark(speed >= SPEED_GOAL)})"
    if ours.cpu is not None and peer.cpu is not None:
        line += f"; CPU {ours.cpu:.2f} s vs {peer.cpu:.2f} s"
    fewer = ours.total_calls < peer.total_calls
    return line + f"; calls {ours.total_calls} vs {peer.total_calls} (goal fewer: {_mark(fewer)})"


def load_text(load: tuple[float, float, float]) -> str:
    """``1.02 0.95 0.80`` (1, 5 and 15 minutes)."""
    return " ".join(f"{value:.2f}" for value in load)
