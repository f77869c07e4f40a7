"""Store throughput: pages of leads upserted with their status history and raw payloads.

Three phases over the same leads, one transaction per page as the pipeline does: new leads
(INSERT), every lead changed (UPDATE + history), and an unchanged re-pull (the lookback
overlap: nothing rewritten). Figures, not a timed test::

    .venv/bin/python benchmarks/store_upsert.py                       # a temporary SQLite file
    .venv/bin/python benchmarks/store_upsert.py --url postgresql+psycopg://u@127.0.0.1/db
    .venv/bin/python benchmarks/store_upsert.py --upsert-only       # upsert_leads alone
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from sync.domain import Lead, Status
from sync.store.db import make_engine, safe_url, session_factory, upgrade
from sync.store.history import record_status_changes
from sync.store.leads import upsert_leads
from sync.store.payloads import store_raw_payloads

NOW = datetime(2026, 3, 1, tzinfo=UTC)


def make_lead(page: int, i: int) -> Lead:
    """A fully populated working lead, distinct per (page, i)."""
    return Lead(
        source="salesforce", external_id=f"00Q{page:05d}{i:010d}", status=Status.WORKING,
        raw_status="Working - Contacted", email=f"lead{page}-{i}@example.com",
        phone="+14155550100", company=f"Company {i}", industry="Software", country="US",
        title="VP Sales", lead_source="Webinar", campaign="Spring", score=42.0,
        owner="005000000000001", created_at=NOW - timedelta(days=30),
        status_changed_at=NOW - timedelta(days=2), modified_at=NOW - timedelta(days=1),
        raw={"Id": f"{i}", "Status": "Working - Contacted", "Email": f"lead{i}@x.com"},
    )  # fmt: skip


def make_pages(pages: int, size: int) -> list[list[Lead]]:
    """``pages`` pages of ``size`` distinct leads."""
    return [[make_lead(page, i) for i in range(size)] for page in range(pages)]


def store(
    factory: sessionmaker[Session], pages: list[list[Lead]], upsert_only: bool = False
) -> tuple[float, float]:
    """Store ``pages``, one transaction each; return (wall seconds, this process's CPU seconds).

    CPU seconds exclude the database server's work (PostgreSQL) and time lost to other
    processes on a busy machine; wall seconds include both.
    """
    started, cpu = time.perf_counter(), time.process_time()
    for page in pages:
        with factory.begin() as session:
            results = upsert_leads(session, page, NOW)
            if upsert_only:
                continue
            record_status_changes(session, page, results, NOW)
            payloads = {results[(x.source, x.external_id)].lead_id: x.raw for x in page}
            store_raw_payloads(session, payloads, NOW)
    return time.perf_counter() - started, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="store URL (default: a temporary SQLite file)")
    parser.add_argument("--pages", type=int, default=10)
    parser.add_argument("--page-size", type=int, default=2000)
    parser.add_argument("--upsert-only", action="store_true", help="leads only: no history/raw")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(args.url or f"sqlite:///{Path(tmp) / 'bench.db'}")
        upgrade(engine)
        factory = session_factory(engine)
        pages = make_pages(args.pages, args.page_size)
        changed = [[replace(x, status=Status.NURTURE, modified_at=NOW) for x in p] for p in pages]
        phases: list[tuple[str, Callable[[], tuple[float, float]]]] = [
            ("insert new leads", lambda: store(factory, pages, args.upsert_only)),
            ("update changed leads", lambda: store(factory, changed, args.upsert_only)),
            ("re-pull unchanged leads", lambda: store(factory, changed, args.upsert_only)),
        ]
        rows = args.pages * args.page_size
        print(f"{safe_url(engine)}: {args.pages} pages x {args.page_size} leads")
        for label, run in phases:
            wall, cpu = run()
            print(f"  {label:<25} {rows / wall:>8,.0f} leads/s  ({rows / cpu:,.0f} per CPU-second)")
        engine.dispose()


if __name__ == "__main__":
    main()
