"""Pull throughput against the Salesforce emulator: connector vs a bare simple-salesforce loop.

Prints leads/s and API calls for ``SalesforceConnector.pull`` over one full window (REST,
queryAll paging) and ``pull_all`` through Bulk API 2.0, each next to a bare
``sf.query_all_iter`` loop over the same emulator. Figures, not a timed test::

    .venv/bin/python benchmarks/salesforce_pull.py --leads 100000
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from datetime import UTC, datetime

from connectors.base import Window
from connectors.salesforce import PasswordAuth, SalesforceConnection, SalesforceConnector
from connectors.salesforce.client import build_client
from connectors.salesforce.streams import full_soql, lead_stream
from connectors.sandbox.salesforce import SalesforceEmulator
from connectors.sandbox.server import Server

FIELDS = [
    "Status",
    "Nurture_Reason__c",
    "Unqualified_Reason__c",
    "Reason_Detail__c",
    "Email",
    "Phone",
    "Company",
    "Industry",
    "Country",
    "Title",
    "LeadSource",
    "Campaign__c",
    "Lead_Score__c",
    "Wants_Call__c",
    "OwnerId",
    "CreatedDate",
]
END = datetime(2100, 1, 1, tzinfo=UTC)


def timed(label: str, run: Callable[[], tuple[int, int]], repeat: int) -> tuple[float, int, int]:
    """Best of ``repeat`` runs (the machine may be shared); print and return
    (seconds, records, api calls)."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        records, calls = run()
        best = min(best, time.perf_counter() - started)
    seconds = best
    print(
        f"{label:<34} {records:>8} leads {seconds:>7.2f} s {records / seconds:>9.0f} leads/s "
        f"{calls:>5} calls"
    )
    return seconds, records, calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs per variant")
    args = parser.parse_args()
    app = SalesforceEmulator(leads=0, seed=42)
    app.add_leads(args.leads)
    with Server(app) as server:
        conn = SalesforceConnection(
            PasswordAuth("admin@leadloop.sandbox", "sandbox-password", "sandbox-token"),
            instance_url=server.url,
            login_url=server.url,
        )
        spec = lead_stream(FIELDS)

        def bare() -> tuple[int, int]:
            sf = build_client(conn)
            before = sum(app.calls.values())
            count = sum(1 for _ in sf.query_all_iter(full_soql(spec), include_deleted=True))
            return count, sum(app.calls.values()) - before

        def rest() -> tuple[int, int]:
            connector = SalesforceConnector(conn, fields=FIELDS)
            pages = connector.pull(Window(None, END))
            return sum(len(p.records) for p in pages), connector.usage.calls

        def bulk() -> tuple[int, int]:
            connector = SalesforceConnector(
                conn, fields=FIELDS, bulk_threshold=1000, sleep=lambda s: time.sleep(min(s, 0.05))
            )
            return sum(len(p.records) for p in connector.pull_all()), connector.usage.calls

        print(f"Salesforce emulator, {args.leads} leads, {len(spec.select_fields)} fields")
        base_s, base_n, _ = timed("bare sf.query_all_iter", bare, args.repeat)
        for label, run in (
            ("connector.pull (REST, 1 window)", rest),
            ("connector.pull_all (Bulk 2.0)", bulk),
        ):
            seconds, records, _ = timed(label, run, args.repeat)
            ratio = (records / seconds) / (base_n / base_s)
            print(f"{'':<34} {ratio:.2f}x the bare loop's leads/s")


if __name__ == "__main__":
    main()
