"""A daemon's no-change cycles: a connector kept from cycle to cycle against one built afresh.

`leadloop run` keeps each source's connector (logged-in session, cached describe) between its
cycles (sync/pipeline/kept.py); a fresh runner per cycle is what `leadloop run --once` from
cron does, and what the daemon did before. Both run here, side by side, on one settled org (a
first sync with write-back and the sync reading those writes back, then nobody editing):
`--cycles` cycles `--every` minutes apart of each source, then, for the kept connector, cycles
further apart than the org's session timeout (Salesforce's default, 2 hours: the daemon logs in
up front instead of sending a query the org would refuse). Prints each cycle's API calls by
operation (from the emulators' request logs) and seconds.

Run: ``.venv/bin/python benchmarks/daemon_cycles.py`` (``--leads 100000 --contacts 12000`` for
issue 14's org).
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

START = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
SOURCES = ("salesforce", "hubspot")


class Clock:
    """Real time from ``start`` on, moved on between cycles by :meth:`jump` (the emulators and
    the daemon share it)."""

    def __init__(self, start: datetime) -> None:
        self.base, self.began = start, time.monotonic()

    def __call__(self) -> datetime:
        return self.base + timedelta(seconds=time.monotonic() - self.began)

    def jump(self, minutes: float) -> None:
        self.base, self.began = self() + timedelta(minutes=minutes), time.monotonic()


def cycle(box: Any, run: Callable[[str], object], name: str) -> tuple[Counter[str], float]:
    """One cycle of ``name`` through ``run``: the emulator's calls by operation, seconds."""
    emulator = getattr(box, name)
    before = Counter(emulator.calls)
    started = time.perf_counter()
    outcome = run(name)
    seconds = time.perf_counter() - started
    if getattr(outcome, "value", "") not in ("ran", "held"):
        raise SystemExit(f"{name}: cycle {outcome} (see the log)")
    return Counter(emulator.calls) - before, seconds


def measure(args: argparse.Namespace) -> dict[str, list[dict[str, Any]]]:
    """Rows per label: each cycle's calls and seconds for both sources."""
    from connectors.sandbox.runner import Sandbox, SandboxOptions
    from sync.config.settings import load_settings
    from sync.demo import write_config
    from sync.lease import Worker
    from sync.pipeline.engine import Engine, SyncRequest
    from sync.pipeline.sources import open_sources
    from sync.scheduler import SourceRunner
    from sync.store.db import make_engine, session_factory, upgrade

    clock = Clock(START)
    rows: dict[str, list[dict[str, Any]]] = {}
    options = SandboxOptions(leads=args.leads, contacts=args.contacts, now=clock)
    with tempfile.TemporaryDirectory() as tmp, Sandbox(options) as box:
        settings = load_settings(write_config(Path(tmp), box.salesforce_url, box.hubspot_url))
        engine = make_engine(settings.store.dsn)
        upgrade(engine)
        sessions, worker = session_factory(engine), Worker.current("benchmark")

        def fresh(name: str) -> object:  # a runner per cycle: nothing kept
            runner = SourceRunner(settings, sessions, clock, worker)
            try:
                return runner(name)
            finally:
                runner.close()

        for _ in range(2):  # the first sync (writes back), the one reading those writes
            with open_sources(settings) as opened:
                for name in SOURCES:  # above the change budget: as `sync --allow-mass-change`
                    loop = Engine(settings, sessions, clock, worker=worker)
                    loop.sync(opened[name], SyncRequest(allow_mass_change=True))
            clock.jump(args.every)
        kept = SourceRunner(settings, sessions, clock, worker)
        plan: list[tuple[str, Callable[[str], object], int]] = [
            ("fresh connector each cycle", fresh, args.every),
            ("kept connector (daemon)", kept, args.every),
            ("kept, 3 h apart (> 2 h timeout)", kept, 180),
        ]
        for label, run, every in plan:
            rows[label] = []
            for _ in range(args.cycles):
                clock.jump(every)
                rows[label].append({name: cycle(box, run, name) for name in SOURCES})
        kept.close()
        engine.dispose()
    return rows


def report(rows: dict[str, list[dict[str, Any]]]) -> None:
    for label, cycles in rows.items():
        print(f"\n{label}:")
        for number, result in enumerate(cycles, 1):
            cells = []
            for name in SOURCES:
                calls, seconds = result[name]
                ops = ", ".join(f"{op} {n}" for op, n in sorted(calls.items()))
                cells.append(f"{name} {sum(calls.values())} calls ({ops}) {seconds:.2f} s")
            print(f"  cycle {number}: " + "; ".join(cells))
    print("\ncalls per no-change cycle (median):")
    for label, cycles in rows.items():
        medians = []
        for name in SOURCES:
            counts = sorted(sum(result[name][0].values()) for result in cycles)
            medians.append(f"{name} {counts[len(counts) // 2]}")
        print(f"  {label:<34} " + ", ".join(medians))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=20_000)
    parser.add_argument("--contacts", type=int, default=4_000)
    parser.add_argument("--cycles", type=int, default=4, help="no-change cycles of each kind")
    parser.add_argument("--every", type=int, default=15, help="minutes between two cycles")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    print(
        f"{args.leads:,} Salesforce leads, {args.contacts:,} HubSpot contacts (messy seed), "
        f"settled; no-change cycles {args.every} min apart"
    )
    report(measure(args))


if __name__ == "__main__":
    main()
