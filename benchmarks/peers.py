"""leadloop side by side with the floor and the Singer taps users would otherwise pick (issue 14).

One run, one pair of seeded emulators (messy leads and contacts, archived contacts included) in
a child process, and every client measured against them in turn, read-only:

* leadloop: a full sync of each source into a new SQLite store (pull, normalize, store,
  policies; write-back switched off), then a no-change incremental sync of each, then two
  no-change cycles of a long-running ``leadloop run`` (its connector kept from one cycle to
  the next, session included): the second is the daemon's row;
* the floor: a bare simple-salesforce ``query_all_iter`` plus a bare SQLAlchemy Core insert of
  the same rows (``pipeline_full_sync.floor``);
* tap-salesforce (REST, then Bulk) and tap-hubspot (contacts), each from a virtualenv of its
  own under ``benchmarks/results/`` (made on first run), run as a subprocess that extracts to a
  file, then again with the state it emitted (its no-change incremental run).

Printed: records, wall and CPU seconds, and the API calls each emulator received (its own
request counter, refused requests included) as a Markdown table; leadloop's ratios against
the floor and each tap with issue 14's goals; the load average at start and at end. The taps
reach the emulators through a loopback shim (``benchmarks/peer_shim/``); a tap that tries any
other host stops the benchmark. Each HubSpot run starts after 10 s of quiet, so no run
inherits another's calls in HubSpot's rolling window.

Run: ``.venv/bin/python benchmarks/peers.py`` (``--leads 10000 --contacts 2000`` for a quick one).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from peers_sandbox import Emulators, emulators
from peers_table import (
    DAEMON,
    FLOOR,
    FULL_HUBSPOT,
    FULL_SALESFORCE,
    LEADLOOP,
    NO_CHANGE_HUBSPOT,
    NO_CHANGE_SALESFORCE,
    Row,
    comparisons,
    load_text,
    median_rows,
    table,
)
from peers_tapruns import TapSettings, measure_taps

RESULTS = Path(__file__).resolve().parent / "results"
#: figure of each (source, run) leadloop makes
FIGURE = {
    ("salesforce", "full"): FULL_SALESFORCE,
    ("salesforce", "incremental"): NO_CHANGE_SALESFORCE,
    ("hubspot", "full"): FULL_HUBSPOT,
    ("hubspot", "incremental"): NO_CHANGE_HUBSPOT,
}


def leadloop_config(directory: Path, emus: Emulators) -> Path:
    """The demo's config for these emulators, with write-back off for every source."""
    from sync.demo import write_config

    path = write_config(directory, emus.salesforce, emus.hubspot)
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    for source in config["sources"].values():
        source["write_back"] = {**source.get("write_back", {}), "enabled": False}
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def measure_leadloop(directory: Path, emus: Emulators) -> tuple[list[Row], Any]:
    """A full then a no-change incremental sync of each source; the rows and the settings."""
    from sync.config.settings import load_settings
    from sync.pipeline.engine import Engine, SyncRequest
    from sync.pipeline.sources import open_sources
    from sync.store.db import make_engine, session_factory, upgrade

    settings = load_settings(leadloop_config(directory, emus))
    engine = make_engine(settings.store.dsn)
    upgrade(engine)
    loop = Engine(settings, session_factory(engine), lambda: datetime.now(UTC))
    rows = []
    for name in ("salesforce", "hubspot"):
        for run, request in (
            ("full", SyncRequest(allow_mass_change=True)),
            ("incremental", SyncRequest()),
        ):
            print(f"leadloop: {run} sync of {name} ...", flush=True)
            emus.start_run(name)
            cpu, started = time.process_time(), time.perf_counter()
            with open_sources(settings, [name]) as sources:
                report = loop.sync(sources[name], request)
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
            pulled = int(report.counts.get("pulled", 0))
            calls = emus.calls(name)
            rows.append(Row(FIGURE[name, run], LEADLOOP, pulled, seconds, calls, cpu=cpu))
        rows.append(daemon_cycle(settings, loop, emus, name))
    engine.dispose()
    return rows, settings


def daemon_cycle(settings: Any, loop: Any, emus: Emulators, name: str) -> Row:
    """A no-change cycle of a long-running ``leadloop run``: the second of two cycles with
    the daemon's kept connector (its session from the first)."""
    from sync.pipeline.engine import SyncRequest
    from sync.pipeline.kept import KeptSources

    print(f"leadloop run: two no-change cycles of {name} ...", flush=True)
    kept = KeptSources(settings, lambda: datetime.now(UTC))
    try:
        for _ in range(2):
            emus.start_run(name)
            cpu, started = time.process_time(), time.perf_counter()
            with kept.lend(name) as source:
                report = loop.sync(source, SyncRequest())
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    finally:
        kept.close()
    pulled = int(report.counts.get("pulled", 0))
    figure = FIGURE[name, "incremental"]
    return Row(figure, DAEMON, pulled, seconds, emus.calls(name), cpu=cpu)


def measure_floor(directory: Path, emus: Emulators, fields: list[str]) -> Row:
    """``query_all_iter`` + Core insert of the same fields (``pipeline_full_sync.floor``)."""
    from pipeline_full_sync import floor

    print("floor: bare query_all_iter + Core insert ...", flush=True)
    emus.start_run("salesforce")
    cpu = time.process_time()
    bare = floor(directory, emus.salesforce, fields)
    cpu = time.process_time() - cpu
    calls = emus.calls("salesforce")
    return Row(FULL_SALESFORCE, FLOOR, bare["rows"], bare["seconds"], calls, cpu=cpu)


def measure_all(
    work: Path, emus: Emulators, taps: TapSettings | None, keep: Path | None
) -> list[Row]:
    """One round: leadloop, the floor, then the taps (their files in ``keep`` if given)."""
    work.mkdir(parents=True)
    ours, settings = measure_leadloop(work / "leadloop", emus)
    fields = list(settings.mapping("salesforce").crm_fields())
    rows = [*ours, measure_floor(work, emus, fields)]
    if taps is not None:
        (keep or work).mkdir(parents=True, exist_ok=True)
        rows += measure_taps(taps, emus, settings, keep or work)
    return rows


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=(
            "The taps' virtualenvs go under --results; their inputs, output and logs go to a "
            "temporary folder unless --keep names one."
        ),
    )
    parser.add_argument(
        "--leads", type=int, default=100_000, help="Salesforce leads seeded (default 100,000)"
    )
    parser.add_argument(
        "--contacts", type=int, default=12_000, help="HubSpot contacts seeded (default 12,000)"
    )
    parser.add_argument(
        "--no-taps", action="store_true", help="measure leadloop and the floor only"
    )
    parser.add_argument("--no-bulk", action="store_true", help="skip tap-salesforce's Bulk mode")
    parser.add_argument(
        "--reinstall", action="store_true", help="recreate the taps' virtualenvs first"
    )
    parser.add_argument(
        "--tap-timeout",
        type=float,
        default=1800,
        help="seconds after which a tap run is stopped and reported (default 1800)",
    )
    parser.add_argument(
        "--results",
        type=Path,
        default=RESULTS,
        help="where the taps' virtualenvs live (default benchmarks/results, git-ignored)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help=(
            "measure everything this many times, interleaved, and print for each figure the "
            "run with the median wall seconds and the spread (the machine is shared: one "
            "run's figures move with the load)"
        ),
    )
    parser.add_argument(
        "--keep", type=Path, help="keep the taps' Singer output, configs and logs in this folder"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    started_load = os.getloadavg()
    try:
        taps = None if args.no_taps else TapSettings.prepare(args)
        rows = median_rows(measure_rounds(args, taps))
    except RuntimeError as exc:  # pip could not install a tap (its log is named) or a tap
        raise SystemExit(f"benchmark stopped: {exc}") from None  # tried to leave loopback
    report(args, rows, (started_load, os.getloadavg()), taps.notes if taps else [])


def measure_rounds(args: argparse.Namespace, taps: TapSettings | None) -> list[Row]:
    """``--repeat`` rounds against one pair of emulators."""
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp, emulators(args.leads, args.contacts) as emus:
        for attempt in range(1, args.repeat + 1):
            keep = args.keep / f"run-{attempt}" if args.keep else None
            rows += measure_all(Path(tmp) / f"run-{attempt}", emus, taps, keep)
    return rows


def report(args: argparse.Namespace, rows: list[Row], loads: Any, notes: list[str]) -> None:
    """The table, the ratios against issue 14's goals, the load, and the notes on the taps."""
    repeats = f"; median of {args.repeat} runs (fastest-slowest)" if args.repeat > 1 else ""
    print(
        f"\n{args.leads:,} Salesforce leads, {args.contacts:,} HubSpot contacts (messy seed); "
        f"leadloop on SQLite without write-back; {os.cpu_count()} cores{repeats}"
    )
    started, ended = loads
    print(f"load average (1, 5, 15 min) at start {load_text(started)}, at end {load_text(ended)}")
    print(f"\n{table(rows)}\n")
    for line in [*comparisons(rows), *dict.fromkeys(notes)]:
        print(line)


if __name__ == "__main__":
    main()
