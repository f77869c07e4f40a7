"""Pull throughput against the HubSpot emulator: connector vs a bare search loop.

100,000 contacts in one window cross the 10,000-result search cap ten times. Prints contacts/s
and API calls for ``HubSpotConnector.pull`` (keyset paging, the default, and offset paging up
to 10,000 with ``max_offset``) next to a bare ``search_api.do_search`` loop over the same
emulator: ``after`` paging, restarted from the last timestamp before result 10,000, duplicates
dropped by id (what one would write by hand; it has no tie or resume guarantees). Figures,
not a timed test::

    .venv/bin/python benchmarks/hubspot_pull.py --contacts 100000
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from datetime import UTC, datetime

import hubspot
from hubspot.crm.contacts import PublicObjectSearchRequest

from connectors.base import Window
from connectors.hubspot import HubSpotConnection, HubSpotConnector
from connectors.hubspot.pacing import TokenBucket
from connectors.sandbox.hubspot import HubSpotEmulator
from connectors.sandbox.server import Server

PROPERTIES = [
    "email",
    "hs_lead_status",
    "nurture_reason",
    "unqualified_reason",
    "reason_detail",
    "campaign",
    "wants_call",
    "lead_status_changed_at",
]
END = datetime(2100, 1, 1, tzinfo=UTC)
END_MS = str(int(END.timestamp() * 1000))


def timed(label: str, run: Callable[[], tuple[int, int]], repeat: int) -> tuple[float, int]:
    """Best of ``repeat`` runs; print and return (seconds, api calls)."""
    best, records, calls = float("inf"), 0, 0
    for _ in range(repeat):
        started = time.perf_counter()
        records, calls = run()
        best = min(best, time.perf_counter() - started)
    print(
        f"{label:<40} {records:>8} contacts {best:>7.2f} s {records / best:>8.0f} /s "
        f"{calls:>5} calls"
    )
    return best, calls


def bare_loop(url: str, token: str) -> tuple[int, int]:
    """A hand-written search loop: offset paging, restart at the cap, dedupe by id."""
    api = hubspot.Client.create(access_token=token, host=url).crm.contacts.search_api
    seen: set[str] = set()
    calls, lower, after = 0, "0", None
    while True:
        request = PublicObjectSearchRequest(
            filter_groups=[
                {
                    "filters": [
                        {"propertyName": "lastmodifieddate", "operator": "GTE", "value": lower},
                        {"propertyName": "lastmodifieddate", "operator": "LT", "value": END_MS},
                    ]
                }
            ],
            sorts=[{"propertyName": "lastmodifieddate", "direction": "ASCENDING"}],
            properties=["lastmodifieddate", "hs_object_id", *PROPERTIES],
            limit=200,
            after=after,
        )
        page = api.do_search(public_object_search_request=request)
        calls += 1
        seen.update(r.id for r in page.results)
        if page.paging is None or page.paging.next is None:
            return len(seen), calls
        after = page.paging.next.after
        if int(after) + 200 > 10_000:
            lower = page.results[-1].properties["lastmodifieddate"]
            lower = str(
                int(datetime.fromisoformat(lower.replace("Z", "+00:00")).timestamp() * 1000)
            )
            after = None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=1, help="best of N runs per variant")
    args = parser.parse_args()
    # leadloop's own cost is measured: HubSpot's rate limits (on by default) would cap every
    # variant at five searches a second and make the figures the limiter's; for the same
    # reason the connector's search pacing gets a bucket that never waits
    app = HubSpotEmulator(contacts=0, seed=42, quirks_off={"rate_limits"})
    app.add_contacts(args.contacts)
    with Server(app) as server:
        conn = HubSpotConnection(app.access_token, base_url=server.url)

        def connector(max_offset: int) -> Callable[[], tuple[int, int]]:
            def run() -> tuple[int, int]:
                unpaced = TokenBucket(rate=1e9, capacity=1e9)
                hs = HubSpotConnector(
                    conn, properties=PROPERTIES, max_offset=max_offset, search_pacer=unpaced
                )
                count = sum(len(p.records) for p in hs.pull(Window(None, END)))
                hs.close()
                return count, hs.usage.calls

            return run

        bare_s, bare_calls = timed(
            "bare do_search loop (offsets, dedupe)",
            lambda: bare_loop(server.url, app.access_token),
            args.repeat,
        )
        for label, offset in (
            ("connector pull, keyset (default)", 0),
            ("connector pull, max_offset=10000", 10_000),
        ):
            seconds, calls = timed(label, connector(offset), args.repeat)
            print(
                f"{'':<40} calls x{calls / bare_calls:.3f} of bare, "
                f"time x{seconds / bare_s:.2f} of bare"
            )


if __name__ == "__main__":
    main()
