"""A no-change incremental sync with a large store: API calls per source and wall time.

Fills a SQLite store with ``--store-leads`` synthetic leads of both sources (Core bulk insert,
not timed) and cursors as of a previous run, then runs one incremental ``sync`` of both
sources against emulators in which nothing changed since. Goal: at most 2 API calls per
source, under 1 second.

Run: ``.venv/bin/python benchmarks/pipeline_incremental.py --store-leads 1000000``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from connectors.sandbox.runner import Sandbox, SandboxOptions
from sync.config.settings import load_settings
from sync.demo import write_config
from sync.pipeline.engine import Engine, SyncRequest
from sync.pipeline.sources import open_sources
from sync.store.db import make_engine, session_factory, upgrade
from sync.store.models import Base  # importing the models registers their tables
from sync.store.states import RunState

TABLES = Base.metadata.tables

STATUSES = ("new", "working", "nurture", "unqualified", "qualified", "converted")


def _rows(source: str, start: int, count: int, stamp: datetime) -> list[dict[str, Any]]:
    return [
        {
            "source": source,
            "external_id": f"BENCH{n:09d}",
            "status": STATUSES[n % 6],
            "raw_status": STATUSES[n % 6],
            "email": f"lead{n}@example.com",
            "nurture_reason": "bad_timing" if n % 6 == 2 else None,
            "unqualified_reason": "competitor" if n % 6 == 3 else None,
            "status_changed_at": stamp - timedelta(days=30 + n % 90),
            "created_at": stamp - timedelta(days=120),
            "modified_at": stamp,
            "wants_call": False,
            "is_deleted": False,
            "first_seen_at": stamp,
            "updated_at": stamp,
            "fingerprint": f"bench{n}",
        }
        for n in range(start, start + count)
    ]


def fill(url: str, per_source: int, now: datetime) -> float:
    """Synthetic leads, cursors and a successful previous run per source; returns seconds."""
    started = time.perf_counter()
    engine = make_engine(url)
    with engine.begin() as connection:
        for source in ("salesforce", "hubspot"):
            for start in range(0, per_source, 50_000):
                connection.execute(
                    insert(TABLES["leads"]),
                    _rows(source, start, min(50_000, per_source - start), now),
                )
            connection.execute(
                insert(TABLES["sync_cursors"]),
                [
                    {
                        "source": source,
                        "stream": "leads",
                        "modstamp": now - timedelta(minutes=1),
                        "record_id": "",
                        "window_end": now,
                        "updated_at": now,
                    }
                ],
            )
            connection.execute(
                insert(TABLES["runs"]),
                [
                    {
                        "kind": "sync",
                        "source": source,
                        "state": RunState.SUCCEEDED.value,
                        "created_at": now - timedelta(minutes=15),
                        "started_at": now - timedelta(minutes=15),
                        "counts": {},
                        "dry_run": False,
                    }
                ],
            )
    engine.dispose()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--store-leads",
        type=int,
        default=1_000_000,
        help="leads in the store, split between the two sources",
    )
    args = parser.parse_args()
    now = datetime.now(UTC)
    with (
        tempfile.TemporaryDirectory() as tmp,
        Sandbox(SandboxOptions(leads=50, contacts=30, now=lambda: now - timedelta(days=1))) as box,
    ):
        settings = load_settings(write_config(Path(tmp), box.salesforce_url, box.hubspot_url))
        engine = make_engine(settings.store.dsn)
        upgrade(engine)
        filled = fill(settings.store.dsn, args.store_leads // 2, now)
        loop = Engine(settings, session_factory(engine), lambda: datetime.now(UTC))
        with open_sources(settings) as sources:
            started = time.perf_counter()
            for source in sources.values():
                loop.sync(source, SyncRequest())
            elapsed = time.perf_counter() - started
            calls = {name: dict(s.connector.usage.by_operation) for name, s in sources.items()}
        engine.dispose()
    print(f"store filled with {args.store_leads:,} leads in {filled:.0f} s")
    print(
        f"no-change incremental sync of both sources: {elapsed:.2f} s; API calls per source: "
        + "; ".join(f"{name} {sum(ops.values())} {ops}" for name, ops in calls.items())
    )


if __name__ == "__main__":
    main()
