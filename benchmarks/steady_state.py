"""The steady state: a first sync that writes back, then five syncs 8 minutes apart, nobody
editing anything. Prints each sync's API calls (per source, by endpoint) and seconds.

A realistic org from the sandbox defaults: same-second bursts, archived and merged contacts,
reason-less leads, messy values; the first sync writes its corrections back, so the syncs after
it meet leadloop's own writes. The emulators run in this process on a clock the script moves;
each sync runs in a child process with its ``now`` given, so that ``--code DIR`` runs the
leadloop of another checkout against the same emulators (e.g. ``git worktree add /tmp/before
680f886``, then ``--code /tmp/before``: both print side by side). Seconds are the child's, from
its first source's sync to its last (imports and start-up left out).

Run: ``.venv/bin/python benchmarks/steady_state.py`` (``--leads 100000 --contacts 12000`` for
issue 14's org).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

START = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
SOURCES = ("salesforce", "hubspot")


class Clock:
    """The emulators' clock: real time from ``start`` on, moved on between syncs by
    :meth:`jump` (so a sync's writes spread over the seconds it really takes, as in an org,
    and the emulators' rate windows roll)."""

    def __init__(self, start: datetime) -> None:
        self.base, self.began = start, time.monotonic()

    def __call__(self) -> datetime:
        return self.base + timedelta(seconds=time.monotonic() - self.began)

    def jump(self, to: datetime) -> None:
        self.base, self.began = to, time.monotonic()


def child(config: str, now: str) -> None:
    """One sync of every source at ``now`` with the leadloop on ``sys.path``; prints seconds."""
    import logging

    from sync.config.settings import load_settings
    from sync.pipeline.engine import Engine, SyncRequest
    from sync.pipeline.sources import open_sources
    from sync.store.db import make_engine, session_factory, upgrade

    logging.disable(logging.WARNING)
    moment = datetime.fromisoformat(now)
    settings = load_settings(Path(config))
    engine = make_engine(settings.store.dsn)
    upgrade(engine)
    seconds, pulled = {}, {}
    with open_sources(settings) as sources:
        loop = Engine(settings, session_factory(engine), lambda: moment)
        for name in SOURCES:
            started = time.perf_counter()
            report = loop.sync(sources[name], SyncRequest(allow_mass_change=True))
            seconds[name] = time.perf_counter() - started
            pulled[name] = report.counts.get("pulled", 0)
    engine.dispose()
    print(json.dumps({"seconds": seconds, "pulled": pulled}))


def run_syncs(code: Path | None, args: argparse.Namespace) -> list[dict[str, Any]]:
    """The first sync and ``--syncs`` more, ``--every`` minutes apart, with ``code``."""
    from connectors.sandbox.runner import Sandbox, SandboxOptions
    from sync.demo import write_config

    clock = Clock(START)
    options = SandboxOptions(leads=args.leads, contacts=args.contacts, now=clock)
    results = []
    with tempfile.TemporaryDirectory() as tmp, Sandbox(options) as box:
        config = write_config(Path(tmp), box.salesforce_url, box.hubspot_url)
        env = {**os.environ, "PYTHONPATH": str(code or Path(__file__).resolve().parents[1])}
        at = START
        for _ in range(args.syncs + 1):
            clock.jump(at)
            before = {
                "salesforce": Counter(box.salesforce.calls),
                "hubspot": Counter(box.hubspot.calls),
            }
            command = [sys.executable, __file__, "--child", str(config), at.isoformat()]
            done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                raise SystemExit(f"sync failed ({code or 'this checkout'}):\n{done.stderr[-2000:]}")
            figures = json.loads(done.stdout.strip().splitlines()[-1])
            calls = {
                "salesforce": Counter(box.salesforce.calls) - before["salesforce"],
                "hubspot": Counter(box.hubspot.calls) - before["hubspot"],
            }
            results.append({**figures, "calls": calls})
            at += timedelta(minutes=args.every)
    return results


def _cell(result: dict[str, Any], source: str) -> str:
    calls: Counter[str] = result["calls"][source]
    seconds, pulled = result["seconds"][source], result["pulled"][source]
    return f"{sum(calls.values()):>4} calls {seconds:>6.2f} s {pulled:>6} read"


def report(runs: dict[str, list[dict[str, Any]]]) -> None:
    labels = list(runs)
    print(f"{'sync':<6}" + "".join(f"| {label:<61}" for label in labels))
    print(f"{'':<6}" + "".join(f"| {'salesforce':<30} {'hubspot':<30}" for _ in labels))
    for number in range(len(next(iter(runs.values())))):
        row = f"{'first' if number == 0 else number:<6}"
        for label in labels:
            result = runs[label][number]
            row += f"| {_cell(result, 'salesforce'):<30} {_cell(result, 'hubspot'):<30}"
        print(row)
    print("\ncalls by endpoint:")
    for label in labels:
        for number, result in enumerate(runs[label]):
            parts = [
                f"{source} {dict(sorted(result['calls'][source].items()))}" for source in SOURCES
            ]
            print(f"  {label} sync {'first' if number == 0 else number}: " + "; ".join(parts))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=20_000)
    parser.add_argument("--contacts", type=int, default=4_000)
    parser.add_argument("--syncs", type=int, default=5, help="syncs after the first one")
    parser.add_argument("--every", type=int, default=8, help="minutes between two syncs")
    parser.add_argument("--code", type=Path, help="another leadloop checkout to run beside this")
    parser.add_argument("--child", nargs=2, metavar=("CONFIG", "NOW"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    print(
        f"{args.leads:,} Salesforce leads, {args.contacts:,} HubSpot contacts (messy seed); "
        f"a first sync with write-back, then {args.syncs} syncs {args.every} min apart"
    )
    runs = {}
    if args.code is not None:
        runs[str(args.code)] = run_syncs(args.code, args)
    runs["this checkout"] = run_syncs(None, args)
    report(runs)


if __name__ == "__main__":
    main()
