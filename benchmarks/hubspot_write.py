"""Write-back cost against the HubSpot emulator: API calls for N corrections (goal: 2 per 100).

Writes one correction to each of N contacts (``reason_detail``), then the same corrections
again (a resend after a crash: nothing to write, only the conflict-check reads), and prints
calls per 100 corrections and corrections/s. Figures, not a timed test::

    .venv/bin/python benchmarks/hubspot_write.py --corrections 10000
"""

from __future__ import annotations

import argparse
import time

from connectors.base import Correction, OutcomeStatus
from connectors.hubspot import HubSpotConnection, HubSpotConnector
from connectors.hubspot.streams import parse_stamp
from connectors.sandbox.hubspot import HubSpotEmulator
from connectors.sandbox.server import Server


def corrections_for(app: HubSpotEmulator, ids: list[str]) -> list[Correction]:
    """One reason_detail fix per contact, evaluated against its current stamp."""
    found = []
    for contact_id in ids:
        stamp = parse_stamp(app.contact(contact_id)["properties"]["lastmodifieddate"])
        found.append(
            Correction(
                f"fix-{contact_id}",
                contact_id,
                {"reason_detail": f"checked by leadloop ({contact_id})"},
                stamp,
            )
        )
    return found


def run(label: str, hs: HubSpotConnector, corrections: list[Correction]) -> None:
    before = hs.usage.calls
    by_op = dict(hs.usage.by_operation)
    started = time.perf_counter()
    outcomes = hs.write(corrections)
    seconds = time.perf_counter() - started
    calls = hs.usage.calls - before
    ops = {k: v - by_op.get(k, 0) for k, v in hs.usage.by_operation.items() if v - by_op.get(k, 0)}
    applied = sum(o.applied for o in outcomes)
    sent = sum(o.status is OutcomeStatus.SENT for o in outcomes)
    print(
        f"{label:<26} {len(corrections):>6} corrections {sent:>6} sent {applied:>6} applied "
        f"{calls:>4} calls ({100 * calls / len(corrections):.2f} per 100) "
        f"{len(corrections) / seconds:>7.0f}/s  {ops}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corrections", type=int, default=10_000)
    args = parser.parse_args()
    # leadloop's own cost is measured: HubSpot's rate limits (on by default) would cap every
    # variant at 190 calls per 10 s and make the figures the limiter's
    app = HubSpotEmulator(contacts=0, seed=42, quirks_off={"rate_limits"})
    ids = app.add_contacts(args.corrections)
    with Server(app) as server:
        hs = HubSpotConnector(
            HubSpotConnection(app.access_token, base_url=server.url), properties=["reason_detail"]
        )
        planned = corrections_for(app, ids)
        run("first write", hs, planned)
        run("resend (already applied)", hs, planned)
        hs.close()


if __name__ == "__main__":
    main()
