"""Progress of a pull or a write-back: a rich bar (total, rate, ETA) on a terminal, plain log
lines otherwise (a service's journal, a pipe, a test)."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

log = logging.getLogger("leadloop")
Tick = Callable[[int, "int | None"], None]
Factory = Callable[[str], Tick]


class _Rate(TransferSpeedColumn):
    """Records per second (rich's transfer speed speaks bytes)."""

    def render(self, task):  # type: ignore[no-untyped-def]
        speed = task.finished_speed or task.speed
        return f"{speed:,.0f} rec/s" if speed else "- rec/s"


def _plain(label: str) -> Tick:
    seen = [0]

    def tick(n: int, total: int | None) -> None:
        seen[0] += n
        of = f" of about {total:,}" if total else ""
        log.info("%s: %s%s records", label, f"{seen[0]:,}", of)

    return tick


def _bar(display: Progress) -> Factory:
    def start(label: str) -> Tick:
        task: TaskID = display.add_task(label, total=None)

        def tick(n: int, total: int | None) -> None:
            done = display.tasks[task].completed + n
            if total is not None:
                # a total counts the whole pull; never show less than what is done
                display.update(task, total=max(total, done))
            display.update(task, completed=done)

        return tick

    return start


@contextmanager
def progress_display(live: bool | None = None) -> Iterator[Factory]:
    """A progress factory (label -> tick(records, total)); a live bar when stderr is a
    terminal (or ``live``), else log lines."""
    if not (sys.stderr.isatty() if live is None else live):
        yield _plain
        return
    display = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        _Rate(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
    )
    with display:
        yield _bar(display)
