"""Feedback aggregation over a large store: what ``leadloop feedback --no-push`` computes.

Fills a store with ``--leads`` synthetic leads (two sources, eight lead sources, three
campaigns at a time, eighty owners, two years of creations, one to three status changes each,
catalogue, legacy, vague and missing reasons, some invalid emails; ``--spread``: any of sixty
campaigns and eight lead sources at any time) straight through the database driver,
then times, wall and CPU of this process, and the CPU of the PostgreSQL backend when the server
runs on this machine:

* the feedback step's aggregation: the counted leads, reasons per week and per month, the
  overlap, and judging the built-in rules on every complete week (its first run);
* with ``--report``, the report's extra work: every funnel and the owner scorecard.

Figures, not a timed test::

    .venv/bin/python benchmarks/feedback_aggregate.py                  # 1,000,000 leads, SQLite
    .venv/bin/python benchmarks/feedback_aggregate.py --url postgresql+psycopg://u@127.0.0.1/db
    .venv/bin/python benchmarks/feedback_aggregate.py --keep /tmp/feedback.db --report
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from sync.config.settings import Settings, load_settings
from sync.feedback.aggregate import counted, kinds_for
from sync.feedback.collect import collect
from sync.feedback.report.model import build_report
from sync.store.db import make_engine, safe_url, session_factory, upgrade
from sync.store.models import LeadRow

NOW = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)
START = NOW - timedelta(days=730)
CHUNK = 50_000
STATUSES = (("new", 14), ("working", 18), ("nurture", 26), ("unqualified", 22),
            ("qualified", 10), ("converted", 10))  # fmt: skip
NURTURE = ("Unresponsive", "Bad Timing", "No Budget Now", "Connected - Not Interested",
           "No Budget", "Not Interested", None, "called twice")  # fmt: skip
UNQUALIFIED = ("Wrong Persona", "Out of Territory", "Bad Contact Data", "Competitor",
               "No Fit - Industry", "Student", "Other", None)  # fmt: skip
LEAD_SOURCES = ("Webinar", "Web", "Purchased List", "Trade Show", "Partner Referral",
                "Paid Search", "Content", "Other")  # fmt: skip
LEAD_COLUMNS = (
    "id", "source", "external_id", "status", "nurture_reason", "unqualified_reason", "email",
    "phone", "email_invalid", "phone_invalid", "lead_source", "campaign", "owner",
    "created_at", "modified_at", "converted_at", "is_deleted", "wants_call", "fingerprint",
    "first_seen_at", "updated_at", "disqualified_at",
)  # fmt: skip
HISTORY_COLUMNS = ("lead_id", "from_status", "to_status", "changed_at", "observed_at")
CONFIG = """\
store: {{url: "{url}"}}
sources:
  salesforce:
    type: salesforce
    connection: {{instance_url: "http://127.0.0.1:9", auth: {{method: session,
                 session_id: {{file: secret}}}}}}
  hubspot:
    type: hubspot
    connection: {{base_url: "http://127.0.0.1:9", access_token: {{file: secret}}}}
feedback: {{periods: [week, month], timezone: Europe/Berlin}}
"""


def _campaign(rng: random.Random, created: datetime, spread: bool) -> tuple[str, str]:
    """(lead source, campaign): three campaigns run at a time, six weeks each, one lead
    source each, as marketing runs them; ``spread``: any of sixty, any lead source."""
    if spread:
        return rng.choice(LEAD_SOURCES), f"Campaign {rng.randrange(60)}"
    number = (created - START).days // 42 * 3 + rng.randrange(3)
    return LEAD_SOURCES[number % len(LEAD_SOURCES)], f"Campaign {number}"


def _lead(
    rng: random.Random, i: int, total: int, spread: bool
) -> tuple[tuple[Any, ...], list[tuple]]:
    status = rng.choices([s for s, _ in STATUSES], [w for _, w in STATUSES])[0]
    source = "salesforce" if i % 3 else "hubspot"
    created = START + timedelta(minutes=rng.randrange(730 * 24 * 60))
    lead_source, campaign = _campaign(rng, created, spread)
    changed = min(created + timedelta(hours=rng.randrange(1, 24 * 90)), NOW)
    person = rng.randrange(total * 9 // 10)  # about one person in ten is in both CRMs
    invalid = rng.random() < 0.03
    row = (
        i, source, f"{source[:2]}{i:09d}", status,
        rng.choice(NURTURE) if status == "nurture" else None,
        rng.choice(UNQUALIFIED) if status == "unqualified" else None,
        None if invalid or rng.random() < 0.05 else f"p{person}@example.com",
        f"+1415555{i % 10000:04d}" if rng.random() < 0.6 else None, invalid, False,
        lead_source, campaign, f"owner-{rng.randrange(80)}",
        created, changed, changed if status == "converted" else None, rng.random() < 0.01,
        False, "x", created, changed,
        # what the store keeps as it writes the history below: the change into nurture or
        # unqualified (from working) is the lead's only spell start
        changed if status in ("nurture", "unqualified") else None,
    )  # fmt: skip
    history: list[tuple[Any, ...]] = [(i, None, "new", created, created)]
    if status != "new":
        middle = created + (changed - created) / 2
        history.append((i, "new", "working", middle, middle))
        if status != "working":
            history.append((i, "working", status, changed, changed))
    return row, history


def rows(
    total: int, seed: int, spread: bool
) -> Iterator[tuple[list[tuple[Any, ...]], list[tuple]]]:
    """Chunks of (lead rows, history rows)."""
    rng = random.Random(seed)
    for start in range(1, total + 1, CHUNK):
        leads, history = [], []
        for i in range(start, min(start + CHUNK, total + 1)):
            lead, changes = _lead(rng, i, total, spread)
            leads.append(lead)
            history += changes
        yield leads, history


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(" ", "microseconds")[:26]
    return int(value) if isinstance(value, bool) else value


def fill(engine: Engine, total: int, seed: int, spread: bool) -> None:
    """Insert the synthetic leads and their history through the driver (fast, no ORM)."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for leads, history in rows(total, seed, spread):
            for table, columns, data in (("leads", LEAD_COLUMNS, leads),
                                         ("status_history", HISTORY_COLUMNS, history)):  # fmt: skip
                _insert(engine, cursor, table, columns, data)
        raw.commit()
    finally:
        raw.close()


def _insert(engine: Engine, cursor: Any, table: str, columns: tuple[str, ...], data: list) -> None:
    names = ", ".join(columns)
    if engine.dialect.name == "postgresql":
        with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in data:
                copy.write_row(row)
        return
    marks = ", ".join("?" for _ in columns)
    cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})",  # noqa: S608
                       [tuple(_sqlite_value(v) for v in row) for row in data])  # fmt: skip


def server_cpu(session: Session) -> Callable[[], float | None]:
    """The CPU seconds the session's PostgreSQL backend has used so far, when the server runs
    on this machine (read from /proc); None otherwise."""
    if session.get_bind().dialect.name != "postgresql":
        return lambda: None
    stat = Path(f"/proc/{session.scalar(select(func.pg_backend_pid()))}/stat")

    def used() -> float | None:
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime

    return used


def timed(label: str, work: Callable[[], Any], server: Callable[[], float | None]) -> Any:
    wall, cpu, before = time.perf_counter(), time.process_time(), server()
    result = work()
    after = server()
    used = "" if before is None or after is None else f" {after - before:6.2f} s server CPU"
    print(f"  {label:<46} {time.perf_counter() - wall:6.2f} s wall "
          f"{time.process_time() - cpu:6.2f} s CPU{used}")  # fmt: skip
    return result


def aggregate(session: Session, settings: Settings) -> None:
    """What ``leadloop feedback --no-push`` does before pushing (rolled back after)."""
    kinds = kinds_for(settings, ("week", "month"))
    with counted(session, settings, NOW, None, True, kinds) as found:
        collected = collect(found, settings, NOW, ("week", "month"))
    rows_ = {kind: len(found_rows) for kind, found_rows in collected.reasons.items()}
    print(f"    reason rows {rows_}; {collected.judged.periods} weeks judged, "
          f"{collected.judged.opened} recommendations raised")  # fmt: skip
    session.rollback()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="store URL (default: a SQLite file in a temp folder)")
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="SQLite file to fill once and reuse")
    parser.add_argument("--report", action="store_true", help="also build the whole report")
    parser.add_argument(
        "--spread",
        action="store_true",
        help="the worst case: any campaign and lead source at any time (a group per lead)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = args.url or f"sqlite:///{args.keep or folder / 'feedback.db'}"
        engine = make_engine(url)
        upgrade(engine)
        sessions = session_factory(engine)
        with sessions() as session:
            stored = session.scalar(select(func.count()).select_from(LeadRow)) or 0
        if stored == 0:
            timed(
                f"fill {args.leads:,} leads",
                lambda: fill(engine, args.leads, args.seed, args.spread),
                lambda: None,
            )
        (folder / "secret").write_text("not-a-secret\n", encoding="utf-8")
        (folder / "leadloop.yaml").write_text(CONFIG.format(url=url), encoding="utf-8")
        settings = load_settings(folder / "leadloop.yaml", env={})
        print(f"{safe_url(engine)}: {max(stored, args.leads):,} leads")
        with sessions() as session:
            server = server_cpu(session)
            timed("aggregate (feedback without the push)",
                  lambda: aggregate(session, settings), server)  # fmt: skip
            if args.report:
                timed("the whole report (funnels, owners)",
                      lambda: build_report(session, settings, NOW, "week"), server)  # fmt: skip
        engine.dispose()


if __name__ == "__main__":
    main()
