"""Benchmark: a bare CRM-search pull of 100k contacts from the HubSpot emulator.

Starts the emulator on loopback with ``--contacts`` contacts (the seeded 200 plus fast bulk
ones), then pages ``search_api.do_search`` (limit 200, sorted by lastmodifieddate) with the
real hubspot-api-client. Before the 10,000-result cap it restarts the query from the last
(lastmodifieddate, id) seen: ``(lastmodifieddate = t AND hs_object_id > id) OR
lastmodifieddate > t``. Prints contacts/s and requests, once through the SDK's models and once
reading the raw JSON (the difference is the SDK's deserialisation, not the emulator). Run::

    .venv/bin/python benchmarks/sandbox_hubspot.py [--contacts 100000]
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
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
        return [
            {"filters": [{"propertyName": "lastmodifieddate", "operator": "GTE", "value": "0"}]}
        ]
    return [
        {
            "filters": [
                {"propertyName": "lastmodifieddate", "operator": "EQ", "value": stamp},
                {"propertyName": "hs_object_id", "operator": "GT", "value": last_id},
            ]
        },
        {"filters": [{"propertyName": "lastmodifieddate", "operator": "GT", "value": stamp}]},
    ]


Page = tuple[list[tuple[str, str]], str | None]  # ([(id, lastmodifieddate)], next after)


def sdk_page(client: Client, request: PublicObjectSearchRequest) -> Page:
    """One page through the SDK's models (what a connector does)."""
    page = client.crm.contacts.search_api.do_search(public_object_search_request=request)
    rows = [(r.id, r.properties["lastmodifieddate"]) for r in page.results]
    return rows, page.paging.next.after if page.paging else None


def raw_page(client: Client, request: PublicObjectSearchRequest) -> Page:
    """One page as raw JSON (no SDK models): shows the emulator's own cost."""
    answer = client.crm.contacts.search_api.do_search_with_http_info(
        public_object_search_request=request, _preload_content=False
    )
    body = json.loads(answer.data)
    rows = [(r["id"], r["properties"]["lastmodifieddate"]) for r in body["results"]]
    return rows, body["paging"]["next"]["after"] if "paging" in body else None


def pull(
    client: Client, fetch: Callable[[Client, PublicObjectSearchRequest], Page]
) -> tuple[set[str], int]:
    """Every contact id via search; (ids, requests made)."""
    seen: set[str] = set()
    requests, stamp, last_id, after = 0, None, None, 0
    while True:
        request = PublicObjectSearchRequest(
            filter_groups=cursor_groups(stamp, last_id),
            sorts=[{"propertyName": "lastmodifieddate", "direction": "ASCENDING"}],
            properties=[
                "email",
                "hs_lead_status",
                "nurture_reason",
                "unqualified_reason",
                "lastmodifieddate",
            ],
            limit=PAGE,
            after=str(after),
        )
        rows, following = fetch(client, request)
        requests += 1
        seen.update(record_id for record_id, _ in rows)
        if following is None or not rows:
            return seen, requests
        after = int(following)
        if after + PAGE > CAP:  # restart from the cursor before the cap refuses us
            last_id, stamp = rows[-1]
            after = 0


def timed(
    client: Client,
    fetch: Callable[[Client, PublicObjectSearchRequest], Page],
    label: str,
    live: int,
) -> None:
    """Pull everything with ``fetch`` and print the figures."""
    started = time.perf_counter()
    seen, requests = pull(client, fetch)
    elapsed = time.perf_counter() - started
    print(
        f"{label}: pulled {len(seen)} of {live} live contacts in {elapsed:.2f} s with "
        f"{requests} search requests: {len(seen) / elapsed:,.0f} contacts/s, "
        f"{requests / elapsed:,.1f} requests/s"
    )
    if len(seen) != live:
        raise SystemExit(f"{label}: missed {live - len(seen)} contacts")


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    args = parser.parse_args()
    started = time.perf_counter()
    # The emulator's own speed is measured: HubSpot's rate limits (on by default) would cap every
    # variant at five searches a second and make the figures the limiter's
    emulator = HubSpotEmulator(contacts=200, quirks_off={"rate_limits"})
    emulator.add_contacts(max(0, args.contacts - 200))
    built = time.perf_counter() - started
    print(f"seeded {args.contacts} contacts in {built:.2f} s")
    live = sum(1 for _ in emulator.contacts.live())
    with Server(emulator) as server:
        client = Client.create(access_token=emulator.access_token, host=server.url)
        timed(client, sdk_page, "SDK models", live)
        timed(client, raw_page, "raw JSON  ", live)


if __name__ == "__main__":
    main()
