"""Plain-text tables and number formats for the terminal."""

from __future__ import annotations

from collections.abc import Sequence


def percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def days(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def table(headers: Sequence[str], rows: Sequence[Sequence[object]], indent: int = 2) -> list[str]:
    """Aligned columns: the first left-aligned, the others right-aligned."""
    cells = [[str(c) for c in headers], *([str(c) for c in row] for row in rows)]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = []
    for row in cells:
        parts = [row[0].ljust(widths[0])]
        parts += [cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)]
        lines.append(" " * indent + "  ".join(parts).rstrip())
    return lines
