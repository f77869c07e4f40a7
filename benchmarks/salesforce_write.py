"""Write-back cost against the Salesforce emulator: API calls and seconds for N corrections.

The goal is 2 calls per 200 records (one re-read query, one Collections PATCH) plus the
connector's one-off calls (login, limits, describe). With ``--flags`` every lead also gets a
review flag delivered as a Task (the ``task`` flag channel): 3 calls per 200 leads (the shared
re-read, which brings the leads' open tasks along, the PATCH, one Collections POST of tasks).
Figures, not a timed test::

    .venv/bin/python benchmarks/salesforce_write.py --corrections 10000 [--flags]
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from datetime import UTC, datetime

from connectors.base import TASK_FIELD, Correction, Window
from connectors.salesforce import PasswordAuth, SalesforceConnection, SalesforceConnector
from connectors.sandbox.salesforce import SalesforceEmulator
from connectors.sandbox.server import Server

END = datetime(2100, 1, 1, tzinfo=UTC)
VALUES = ("Bad Timing", "Unresponsive", "No Budget Now")
FLAG = "leadloop: nurture reason to review"
#: the calls that scale with the batches (the rest are the connector's one-off calls)
BATCH_CALLS = ("reread", "composite", "tasks_read", "tasks_create")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corrections", type=int, default=10_000)
    parser.add_argument("--flags", action="store_true", help="a review task for each lead too")
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
        if args.flags:
            corrections += [
                Correction(f"f{c.key}", c.record_id, {TASK_FIELD: FLAG}, c.expected_modstamp)
                for c in corrections
            ]
        leads = len({c.record_id for c in corrections})
        # a write call per 200 leads, their fixes and flags together, as the engine sends them
        ids = list(dict.fromkeys(c.record_id for c in corrections))
        batch_of = {lead_id: n // 200 for n, lead_id in enumerate(ids)}
        batches = [
            [c for c in corrections if batch_of[c.record_id] == b] for b in range(-(-leads // 200))
        ]
        connector = SalesforceConnector(conn, fields=["Nurture_Reason__c"])
        for label in ("first write", "re-send (idempotent)"):
            started = time.perf_counter()
            outcomes = [o for batch in batches for o in connector.write(batch)]
            seconds = time.perf_counter() - started
            calls = dict(connector.usage.by_operation)
            connector.usage.by_operation.clear()
            connector.usage.calls = 0
            statuses = Counter((o.status.value, o.applied) for o in outcomes)
            per_200 = sum(calls.get(op, 0) for op in BATCH_CALLS) / (leads / 200)
            print(
                f"{label}: {len(outcomes)} corrections for {leads} leads in {seconds:.2f} s, "
                f"calls {calls}, {per_200:.2f} batch calls per 200 records, "
                f"outcomes {dict(statuses)}"
            )


if __name__ == "__main__":
    main()
