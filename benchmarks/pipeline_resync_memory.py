"""Peak memory of a full resync of a very large org (streaming, never all in memory).

The Salesforce emulator (``--leads`` plain leads, in a child process) serves the resync through
Bulk API 2.0; this process runs ``resync --full`` into SQLite and prints its peak RSS, which
must stay under 300 MB however many leads there are. ``--again`` runs a second full resync
over the leads the first one stored (every stored lead loaded and compared, page by page).

Run: ``.venv/bin/python benchmarks/pipeline_resync_memory.py --leads 1000000``.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from pipeline_full_sync import serve  # the emulator child process, shared

from sync.config.settings import load_settings
from sync.demo import write_config
from sync.pipeline.engine import Engine, SyncRequest
from sync.pipeline.sources import open_sources
from sync.store.db import make_engine, session_factory, upgrade


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument(
        "--messy",
        action="store_true",
        help="the messy seed (corrections, findings) instead of plain leads",
    )
    parser.add_argument(
        "--again", action="store_true", help="then a second full resync over the populated store"
    )
    args = parser.parse_args()
    context = multiprocessing.get_context("spawn")
    ports, stop = context.Queue(), context.Event()
    child = context.Process(
        target=serve, args=(args.leads, ports, stop, not args.messy), daemon=True
    )
    child.start()
    url = f"http://127.0.0.1:{ports.get(timeout=900)}"
    try:
        with tempfile.TemporaryDirectory() as tmp:
            settings = load_settings(write_config(Path(tmp), url, "http://127.0.0.1:9"))
            engine = make_engine(settings.store.dsn)
            upgrade(engine)
            baseline = _peak_mb()
            for attempt in range(2 if args.again else 1):
                started = time.perf_counter()
                with open_sources(settings, ["salesforce"]) as sources:
                    source = sources["salesforce"]
                    report = Engine(
                        settings, session_factory(engine), lambda: datetime.now(UTC)
                    ).sync(source, SyncRequest(mode="full", allow_mass_change=True))
                    calls = dict(source.connector.usage.by_operation)
                elapsed = time.perf_counter() - started
                pulled = report.counts.get("pulled", 0)
                print(
                    f"{'full resync' if attempt == 0 else 'again, over the stored leads'}: "
                    f"{pulled:,} leads in {elapsed:.0f} s = {pulled / elapsed:,.0f} leads/s; "
                    f"API calls {sum(calls.values())} {calls}; corrections "
                    f"{report.counts.get('corrections', 0):,}; peak RSS so far "
                    f"{_peak_mb():.0f} MB (before the resync: {baseline:.0f} MB)",
                    flush=True,
                )
            engine.dispose()
    finally:
        stop.set()
        child.join(timeout=30)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    main()
