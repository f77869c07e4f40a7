"""Write-back cost against the Salesforce emulator: API calls and seconds for N corrections.

The goal is 2 calls per 200 records (one re-read query, one Collections PATCH) plus the
connector's one-off calls (login, limits, describe). Figures, not a timed test::

    .venv/bin/python benchmarks/salesforce_write.py --corrections 10000
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from datetime import UTC, datetime

from connectors.base import Correction, Window
from connectors.salesforce import PasswordAuth, SalesforceConnection, SalesforceConnector
from connectors.sandbox.salesforce import SalesforceEmulator
from connectors.sandbox.server import Server

END = datetime(2100, 1, 1, tzinfo=UTC)
VALUES = ("Bad Timing", "Unresponsive", "No Budget Now")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corrections", type=int, default=10_000)
    args = parser.parse_args()
    app = SalesforceEmulator(leads=0, seed=7)
    app.add_leads(args.corrections)
    with Server(app) as server:
        conn = SalesforceConnection(
            PasswordAuth("admin@leadloop.sandbox", "sandbox-password", "sandbox-token"),
            instance_url=server.url,
            login_url=server.url,
        )
        reader = SalesforceConnector(conn, fields=["Nurture_Reason__c", "IsConverted"])
        live = [
            r
            for p in reader.pull(Window(None, END))
            for r in p.records
            if not r.deleted and not r.fields.get("IsConverted")
        ]
        corrections = [
            Correction(
                f"k{n}", r.record_id, {"Nurture_Reason__c": VALUES[n % len(VALUES)]}, r.modstamp
            )
            for n, r in enumerate(live[: args.corrections])
        ]
        connector = SalesforceConnector(conn, fields=["Nurture_Reason__c"])
        for label in ("first write", "re-send (idempotent)"):
            started = time.perf_counter()
            outcomes = connector.write(corrections)
            seconds = time.perf_counter() - started
            calls = dict(connector.usage.by_operation)
            connector.usage.by_operation.clear()
            connector.usage.calls = 0
            statuses = Counter((o.status.value, o.applied) for o in outcomes)
            per_200 = (calls.get("reread", 0) + calls.get("composite", 0)) / (len(outcomes) / 200)
            print(
                f"{label}: {len(outcomes)} corrections in {seconds:.2f} s, calls {calls}, "
                f"{per_200:.2f} batch calls per 200 records, outcomes {dict(statuses)}"
            )


if __name__ == "__main__":
    main()
