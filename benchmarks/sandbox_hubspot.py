"""Benchmark: a bare CRM-search pull of 100k contacts from the HubSpot emulator.

Starts the emulator on loopback with ``--contacts`` contacts (the seeded 200 plus fast bulk
ones), then pages ``search_api.do_search`` (limit 200, sorted by lastmodifieddate) with the
real hubspot-api-client. Before the 10,000-result cap it restarts the query from the last
(lastmodifieddate, id) seen: ``(lastmodifieddate = t AND hs_object_id > id) OR
lastmodifieddate > t``. Prints contacts/s and requests. Run::

    .venv/bin/python benchmarks/sandbox_hubspot.py [--contacts 100000]
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from hubspot import Client
from hubspot.crm.contacts import PublicObjectSearchRequest

from connectors.sandbox.hubspot import HubSpotEmulator
from connectors.sandbox.server import Server

PAGE = 200
CAP = 10_000


def cursor_groups(stamp: str | None, last_id: str | None) -> list[dict[str, Any]]:
    """Filter groups resuming after (stamp, last_id); everything when there is no cursor."""
    if stamp is None:
        return [{"filters": [{"propertyName": "lastmodifieddate", "operator": "GTE",
                              "value": "0"}]}]
    return [
        {"filters": [{"propertyName": "lastmodifieddate", "operator": "EQ", "value": stamp},
                     {"propertyName": "hs_object_id", "operator": "GT", "value": last_id}]},
        {"filters": [{"propertyName": "lastmodifieddate", "operator": "GT", "value": stamp}]},
    ]


def pull(client: Client) -> tuple[set[str], int]:
    """Every contact id via search; (ids, requests made)."""
    seen: set[str] = set()
    requests, stamp, last_id, after = 0, None, None, 0
    while True:
        request = PublicObjectSearchRequest(
            filter_groups=cursor_groups(stamp, last_id),
            sorts=[{"propertyName": "lastmodifieddate", "direction": "ASCENDING"}],
            properties=["email", "hs_lead_status", "nurture_reason", "unqualified_reason",
                        "lastmodifieddate"],
            limit=PAGE, after=str(after))
        page = client.crm.contacts.search_api.do_search(public_object_search_request=request)
        requests += 1
        for record in page.results:
            seen.add(record.id)
        if page.paging is None or not page.results:
            return seen, requests
        after = int(page.paging.next.after)
        if after + PAGE > CAP:  # restart from the cursor before the cap refuses us
            last = page.results[-1]
            stamp, last_id, after = last.properties["lastmodifieddate"], last.id, 0


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    args = parser.parse_args()
    started = time.perf_counter()
    emulator = HubSpotEmulator(contacts=200)
    emulator.add_contacts(max(0, args.contacts - 200))
    built = time.perf_counter() - started
    with Server(emulator) as server:
        client = Client.create(access_token=emulator.access_token, host=server.url)
        started = time.perf_counter()
        seen, requests = pull(client)
        elapsed = time.perf_counter() - started
    live = sum(1 for _ in emulator.contacts.live())
    print(f"seeded {args.contacts} contacts in {built:.2f} s")
    print(f"pulled {len(seen)} of {live} live contacts in {elapsed:.2f} s with {requests} "
          f"search requests: {len(seen) / elapsed:,.0f} contacts/s, "
          f"{requests / elapsed:,.1f} requests/s")
    if len(seen) != live:
        raise SystemExit(f"missed {live - len(seen)} contacts")


if __name__ == "__main__":
    main()
