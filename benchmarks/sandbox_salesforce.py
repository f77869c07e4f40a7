"""How fast the Salesforce emulator serves a large org to a bare simple-salesforce client.

Starts the emulator with ``--leads`` plain leads on a loopback port, logs in over SOAP and
reads every lead with ``query_all_iter`` (2,000 per page), then prints leads/s and the number
of requests the emulator served. Run: ``.venv/bin/python benchmarks/sandbox_salesforce.py``.
"""

from __future__ import annotations

import argparse
import time

from simple_salesforce import Salesforce

from connectors.salesforce.client import SalesforceConnection, SessionAuth, build_session
from connectors.sandbox.salesforce import SalesforceEmulator
from connectors.sandbox.server import Server

SOQL = (
    "SELECT Id, FirstName, LastName, Email, Company, Status, Nurture_Reason__c, "
    "Unqualified_Reason__c, Lead_Score__c, SystemModstamp FROM Lead "
    "WHERE SystemModstamp >= 2026-01-01T00:00:00Z ORDER BY SystemModstamp, Id"
)


def main() -> None:
    """Run the benchmark and print one line of figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leads", type=int, default=100_000)
    args = parser.parse_args()
    started = time.perf_counter()
    emulator = SalesforceEmulator(leads=0)
    emulator.add_leads(args.leads)
    seeded = time.perf_counter() - started
    with Server(emulator) as server:
        sf = Salesforce(
            username="admin@leadloop.sandbox",
            password="sandbox-password",
            security_token="sandbox-token",
            domain="login",
            session=build_session(
                SalesforceConnection(
                    SessionAuth("-"), instance_url=server.url, login_url=server.url
                )
            ),
        )
        emulator.calls.clear()
        started = time.perf_counter()
        count = sum(1 for _ in sf.query_all_iter(SOQL))
        elapsed = time.perf_counter() - started
        requests = sum(emulator.calls.values())
    print(
        f"seeded {args.leads} leads in {seeded:.2f} s; read {count} leads in {elapsed:.2f} s "
        f"= {count / elapsed:,.0f} leads/s over {requests} requests"
    )


if __name__ == "__main__":
    main()
