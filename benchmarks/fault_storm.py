"""Fault storm: one full sync of both sources against the sandbox, clean and with injected faults.

Each run starts from a fresh sandbox (same seed, messy leads and contacts) and a fresh SQLite
store, then runs one ``sync`` cycle of every source (pull, evaluate, write back). With
``--rate 0.2`` a fifth of all requests, retries included, get a fault from a seeded mix: 429s
(with a loopback-sized ``Retry-After``), 5xx, dropped connections and odd answers (an empty 200,
an HTML page, a body cut short, a page without its records). Printed per rate: API requests
the emulators received, seconds, failed runs, and whether every run ended with the clean run's
store (leads stored, corrections sent); then the storm / clean ratios. Goal at 20%: at most
1.3x the requests, 2x the time, 0 failed runs.

Run: ``.venv/bin/python benchmarks/fault_storm.py --runs 4``.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from connectors.sandbox.runner import Sandbox, SandboxOptions
from sync.config.settings import load_settings
from sync.demo import write_config
from sync.pipeline.engine import Engine as Loop
from sync.pipeline.engine import SyncRequest
from sync.pipeline.sources import open_sources
from sync.store.db import make_engine, session_factory, upgrade
from sync.store.models import LeadRow, OutboxItem, OutboxState

#: share of the injected faults per kind, per emulator (the rest of the mix is odd answers)
WAIT = 0.2  # Retry-After of the injected 429s, sized for loopback
SALESFORCE_MIX = [
    ("http429", 0.2),
    ("http503", 0.2),
    ("http500", 0.05),
    ("drop", 0.2),
    ("empty", 0.1),
    ("html", 0.1),
    ("truncated", 0.1),
    ("missing:records", 0.05),
]
HUBSPOT_MIX = [
    ("rate_limit_ten_secondly", 0.2),
    ("http503", 0.2),
    ("http502", 0.05),
    ("drop", 0.2),
    ("empty", 0.1),
    ("html", 0.1),
    ("truncated", 0.1),
    ("missing:results", 0.05),
]


@dataclass
class Result:
    requests: int
    seconds: float
    failed: list[str]
    leads: int
    sent: int


#: the fault kinds a client without shape checks already handled: no odd answers
CLASSIC = ("http", "rate_limit", "drop")


def fault_plan(
    mix: list[tuple[str, float]], rate: float, seed: int, classic: bool = False
) -> dict[str, Any]:
    """Seeded fault rates for one emulator; ``classic``: 429s, 5xx and drops only."""
    if classic:
        kinds = [(kind, share) for kind, share in mix if kind.startswith(CLASSIC)]
        total = sum(share for _, share in kinds)
        mix = [(kind, share / total) for kind, share in kinds]
    return {
        "seed": seed,
        "rates": [
            {"op": "*", "kind": kind, "rate": rate * share, "retry_after": WAIT}
            if kind.startswith(("http429", "rate_limit"))
            else {"op": "*", "kind": kind, "rate": rate * share}
            for kind, share in mix
        ],
    }


def one_run(args: argparse.Namespace, rate: float, seed: int) -> Result:
    box = Sandbox(SandboxOptions(leads=args.leads, contacts=args.contacts, seed=42)).start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            return _sync_all(box, Path(tmp), rate, seed, args.classic)
    finally:
        box.stop()


def _sync_all(box: Sandbox, tmp: Path, rate: float, seed: int, classic: bool) -> Result:
    settings = load_settings(write_config(tmp, box.salesforce_url, box.hubspot_url))
    engine = make_engine(settings.store.dsn)
    upgrade(engine)
    sessions = session_factory(engine)
    box.salesforce.faults.load(fault_plan(SALESFORCE_MIX, rate, seed, classic))
    box.hubspot.faults.load(fault_plan(HUBSPOT_MIX, rate, seed + 1, classic))
    box.salesforce.calls.clear()
    box.hubspot.calls.clear()
    failed: list[str] = []
    started = time.perf_counter()
    with open_sources(settings, None) as opened:
        loop = Loop(settings, sessions, lambda: datetime.now(UTC))
        for source in opened.values():
            try:
                loop.sync(source, SyncRequest(allow_mass_change=True))
            except Exception as exc:  # a failed run is what this benchmark counts
                failed.append(f"{source.name}: {type(exc).__name__}: {str(exc)[:160]}")
    seconds = time.perf_counter() - started
    requests = sum(box.salesforce.calls.values()) + sum(box.hubspot.calls.values())
    with sessions() as session:
        stored = session.scalar(select(func.count()).select_from(LeadRow)) or 0
        sent = (
            session.scalar(
                select(func.count())
                .select_from(OutboxItem)
                .where(OutboxItem.state == OutboxState.SENT)
            )
            or 0
        )
    engine.dispose()
    return Result(requests, seconds, failed, stored, sent)


def report(label: str, results: list[Result], clean: Result | None) -> None:
    requests = statistics.median(r.requests for r in results)
    seconds = statistics.median(r.seconds for r in results)
    failed = sum(1 for r in results if r.failed)
    line = f"{label:>10}: {requests:8.0f} requests  {seconds:6.2f} s  {failed} failed runs"
    if clean is not None:
        same = sum(1 for r in results if (r.leads, r.sent) == (clean.leads, clean.sent))
        line += (
            f"  x{requests / clean.requests:.2f} requests  x{seconds / clean.seconds:.2f} time"
            f"  {same}/{len(results)} runs ended as the clean run"
        )
    print(line)
    for result in results:
        for failure in result.failed:
            print(f"            failed: {failure}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=4)
    parser.add_argument("--leads", type=int, default=2000)
    parser.add_argument("--contacts", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=0.2)
    parser.add_argument("--classic", action="store_true", help="429s, 5xx and drops only")
    args = parser.parse_args()
    logging.basicConfig(level=logging.CRITICAL)  # the storm's retry warnings are expected
    clean = [one_run(args, 0.0, seed) for seed in range(args.runs)]
    storm = [one_run(args, args.rate, seed) for seed in range(args.runs)]
    middle = sorted(clean, key=lambda r: r.seconds)[len(clean) // 2]
    baseline = Result(
        int(statistics.median(r.requests for r in clean)),
        statistics.median(r.seconds for r in clean),
        [],
        middle.leads,
        middle.sent,
    )
    mix = "429s, 5xx and drops" if args.classic else "429s, 5xx, drops and odd answers"
    print(f"{args.leads} leads, {args.contacts} contacts, {args.runs} runs each (medians), {mix}")
    report("clean", clean, None)
    report(f"{args.rate:.0%} faults", storm, baseline)


if __name__ == "__main__":
    main()
