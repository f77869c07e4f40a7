"""Full sync of a large Salesforce org into SQLite, against the floor of doing it by hand.

The emulator runs in a child process (seeded messy leads), so this process's peak RSS is the
pipeline's own. Figures printed:

* leadloop: one full ``sync`` (pull, normalize, store, policies, outbox, write-back) of
  ``--leads`` leads: seconds, leads/s, API calls, writes, peak RSS;
* floor: a bare simple-salesforce ``query_all_iter`` over the same fields plus a bare
  SQLAlchemy Core bulk insert of the same rows into SQLite;
* the ratio leadloop / floor (goal: at most 1.5);
* with ``--phases``, the wall-clock seconds spent in each step of the pipeline;
* with ``--then-resync``, a full resync over the populated store (every lead re-read, none
  changed): what an admin's ``leadloop resync --full`` costs on a synced org.

Run: ``.venv/bin/python benchmarks/pipeline_full_sync.py --leads 100000``.
"""

from __future__ import annotations

import argparse
import collections
import functools
import multiprocessing
import os
import resource
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Column, MetaData, String, Table, Text, create_engine, insert

from connectors.salesforce.client import SalesforceConnection, SessionAuth, build_session


def serve(leads: int, ports: Any, stop: Any, clean: bool = False) -> None:
    """Child process: the Salesforce emulator with ``leads`` messy (or clean) leads."""
    from connectors.sandbox.salesforce import SalesforceEmulator
    from connectors.sandbox.server import Server

    emulator = SalesforceEmulator(leads=0 if clean else leads)
    if clean:
        emulator.add_leads(leads)
    with Server(emulator) as server:
        ports.put(server.port)
        stop.wait()


#: (module, function) pairs timed by --phases, with the label printed for each
PHASES = (
    ("sync.store.leads", "upsert_leads", "store the leads"),
    ("sync.pipeline.ingest", "evaluate", "evaluate the policies"),
    ("sync.pipeline.ingest", "normalize", "normalize"),
    ("sync.store.payloads", "store_raw_payloads", "keep the raw payloads"),
    ("sync.store.history", "record_status_changes", "status history"),
    ("sync.store.leads", "load_stored", "load stored leads"),
    ("sync.store.findings", "sync_findings", "findings"),
    ("sync.pipeline.ingest", "sync_duplicates", "duplicate emails (their findings too)"),
    ("sync.pipeline.ingest", "with_entry_times", "status entry times"),
    ("sync.pipeline.outbox", "enqueue", "outbox enqueue"),
    ("sync.pipeline.engine", "Engine._write_back", "write-back (all of it)"),
)


def time_phases() -> collections.defaultdict[str, float]:
    """Wrap each function of :data:`PHASES` to add its wall-clock seconds to the returned dict.

    The names are replaced where the pipeline looks them up, so call this before the sync.
    """
    import importlib

    spent: collections.defaultdict[str, float] = collections.defaultdict(float)
    for module_name, qualified, label in PHASES:
        owner: Any = importlib.import_module(module_name)
        *path, name = qualified.split(".")
        for part in path:
            owner = getattr(owner, part)
        setattr(owner, name, _timed(getattr(owner, name), label, spent))
    return spent


def _timed(function: Any, label: str, spent: collections.defaultdict[str, float]) -> Any:
    @functools.wraps(function)
    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent[label] += time.perf_counter() - started

    return timed


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def leadloop_sync(
    directory: Path,
    url: str,
    write_back: bool = True,
    then_resync: bool = False,
    spent: dict[str, float] | None = None,
) -> dict[str, Any]:
    """One full sync into a new store (and, with ``then_resync``, a full resync over it)."""
    from sync.config.settings import load_settings
    from sync.demo import write_config
    from sync.pipeline.engine import Engine, SyncRequest
    from sync.pipeline.sources import open_sources
    from sync.store.db import make_engine, session_factory, upgrade

    config = write_config(directory, url, "http://127.0.0.1:9")
    if not write_back:  # evaluate and enqueue, but never write (isolates the CRM writes' cost)
        config.write_text(
            config.read_text().replace(
                "    mapping: salesforce_lead\n",
                "    mapping: salesforce_lead\n    write_back: {enabled: false}\n",
            )
        )
    settings = load_settings(config)
    engine = make_engine(settings.store.dsn)
    upgrade(engine)
    runs = []
    for request in (
        SyncRequest(allow_mass_change=True),
        *([SyncRequest(mode="full", allow_mass_change=True)] if then_resync else []),
    ):
        spent_before = dict(spent) if spent is not None else {}
        started, cpu = time.perf_counter(), time.process_time()
        with open_sources(settings, ["salesforce"]) as sources:
            source = sources["salesforce"]
            report = Engine(settings, session_factory(engine), lambda: datetime.now(UTC)).sync(
                source, request
            )
            calls = dict(source.connector.usage.by_operation)
        runs.append(
            {
                "seconds": time.perf_counter() - started,
                "cpu": time.process_time() - cpu,
                "counts": report.counts,
                "calls": calls,
                "spent": {k: v - spent_before.get(k, 0.0) for k, v in (spent or {}).items()},
            }
        )
    engine.dispose()
    return {
        **runs[0],
        "resync": runs[1] if then_resync else None,
        "fields": list(settings.mapping("salesforce").crm_fields()),
    }


def floor(directory: Path, url: str, fields: list[str]) -> dict[str, Any]:
    from simple_salesforce import Salesforce

    from connectors.salesforce.streams import format_soql

    engine = create_engine(f"sqlite:///{directory / 'floor.db'}")
    table = Table(
        "leads",
        MetaData(),
        Column("Id", String(18), primary_key=True),
        *(Column(f, Text) for f in fields if f != "Id"),
        Column("raw", JSON),
    )
    table.metadata.create_all(engine)
    started, cpu = time.perf_counter(), time.process_time()
    sf = Salesforce(
        username="admin@leadloop.sandbox",
        password="sandbox-password",
        security_token="sandbox-token",
        domain="login",
        session=build_session(
            SalesforceConnection(SessionAuth("-"), instance_url=url, login_url=url)
        ),
    )
    soql = format_soql("SELECT {:literal} FROM Lead ORDER BY SystemModstamp, Id", ", ".join(fields))
    batch: list[dict[str, Any]] = []
    count = 0
    with engine.begin() as connection:
        for record in sf.query_all_iter(soql, include_deleted=True):
            record.pop("attributes", None)
            batch.append(
                {**{k: None if v is None else str(v) for k, v in record.items()}, "raw": record}
            )
            if len(batch) == 2000:
                connection.execute(insert(table), batch)
                count += len(batch)
                batch.clear()
        if batch:
            connection.execute(insert(table), batch)
            count += len(batch)
    engine.dispose()
    return {
        "seconds": time.perf_counter() - started,
        "cpu": time.process_time() - cpu,
        "rows": count,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument(
        "--no-write-back", action="store_true", help="evaluate but do not write corrections back"
    )
    parser.add_argument(
        "--clean",
        action="store_true",
        help="plain leads needing no correction (default: the messy seed)",
    )
    parser.add_argument(
        "--then-resync",
        action="store_true",
        help="then a full resync over the populated store (nothing changed)",
    )
    parser.add_argument(
        "--phases",
        action="store_true",
        help="also print the wall-clock seconds of each pipeline step",
    )
    args = parser.parse_args()
    spent = time_phases() if args.phases else None
    context = multiprocessing.get_context("spawn")
    ports, stop = context.Queue(), context.Event()
    child = context.Process(target=serve, args=(args.leads, ports, stop, args.clean), daemon=True)
    child.start()
    port = ports.get(timeout=600)
    url = f"http://127.0.0.1:{port}"
    try:
        with tempfile.TemporaryDirectory() as tmp:
            ours = leadloop_sync(
                Path(tmp),
                url,
                write_back=not args.no_write_back,
                then_resync=args.then_resync,
                spent=spent,
            )
            peak = _peak_mb()
            bare = floor(Path(tmp), url, ours["fields"])
    finally:
        stop.set()
        child.join(timeout=10)
    counts = ours["counts"]
    print(
        f"leadloop full sync: {counts.get('pulled', 0):,} leads in {ours['seconds']:.1f} s "
        f"= {counts.get('pulled', 0) / ours['seconds']:,.0f} leads/s ({ours['cpu']:.1f} s CPU "
        f"in this process); API calls "
        f"{counts.get('api_calls')} {ours['calls']}; corrections {counts.get('corrections')}, "
        f"sent {counts.get('sent', 0)}, findings {counts.get('findings')}; "
        f"peak RSS {peak:.0f} MB"
    )
    print(
        f"floor (bare query_all_iter + Core bulk insert): {bare['rows']:,} rows in "
        f"{bare['seconds']:.1f} s = {bare['rows'] / bare['seconds']:,.0f} rows/s "
        f"({bare['cpu']:.1f} s CPU in this process)"
    )
    print(
        f"ratio leadloop / floor: {ours['seconds'] / bare['seconds']:.2f} (goal <= 1.5); "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    _print_phases(ours)
    if ours["resync"] is not None:
        again = ours["resync"]
        pulled = again["counts"].get("pulled", 0)
        print(
            f"then a full resync over the stored leads: {pulled:,} leads in "
            f"{again['seconds']:.1f} s = {pulled / again['seconds']:,.0f} leads/s; API calls "
            f"{again['counts'].get('api_calls')} {again['calls']}; corrections "
            f"{again['counts'].get('corrections')}"
        )
        _print_phases(again)


def _print_phases(run: dict[str, Any]) -> None:
    if not run["spent"]:
        return
    pulled = max(run["counts"].get("pulled", 0), 1)
    print("  seconds per step (the pull overlaps them, in a prefetch thread):")
    for label, seconds in sorted(run["spent"].items(), key=lambda item: -item[1]):
        print(f"    {label:26s} {seconds:6.2f} s  {1e6 * seconds / pulled:5.0f} µs a lead")


if __name__ == "__main__":
    main()
