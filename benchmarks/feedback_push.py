"""API calls to push a quarter of weekly feedback for ``--leads`` leads to the HubSpot emulator.

Stores ``--leads`` leads through the store's own upsert and status history (60% Salesforce
leads, 40% HubSpot contacts, half of the contacts sharing a Salesforce lead's email), most of
them disqualified within the last 13 weeks, then runs the feedback step with
``periods: [week]`` from 13 weeks ago and prints, per target, the records and the API calls
by operation against the goal: the custom object within 1.05x of ceil(records / 100). Then a
second push (nothing changed: no call), and one after 1% of the leads changed their reason.
Figures, not a timed test::

    .venv/bin/python benchmarks/feedback_push.py --leads 100000
"""

from __future__ import annotations

import argparse
import math
import random
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from connectors.sandbox.hubspot import HubSpotEmulator
from connectors.sandbox.server import Server
from sync.config.settings import load_settings
from sync.domain import Lead, Status
from sync.feedback.step import FeedbackReport, FeedbackRequest, FeedbackStep
from sync.store.db import make_engine, session_factory, upgrade
from sync.store.history import record_status_changes
from sync.store.leads import upsert_leads

NOW = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)
QUARTER = timedelta(weeks=13)
PAGE = 2_000
REASONS = ("Unresponsive", "Bad Timing", "No Budget Now", "Wrong Persona", "Competitor",
           "Out of Territory", "Bad Contact Data", None)  # fmt: skip
CONFIG = """\
store: {{url: "{store}"}}
sources:
  salesforce:
    type: salesforce
    connection: {{instance_url: "http://127.0.0.1:9", auth: {{method: session,
                 session_id: {{file: secret}}}}}}
  hubspot:
    type: hubspot
    connection: {{base_url: "{hubspot}", access_token: {{file: secret}}}}
feedback: {{periods: [week], target: hubspot, recommendations: []}}
"""


def leads(total: int, contact_ids: list[str], seed: int) -> list[tuple[Lead, Lead]]:
    """(first seen new, then disqualified) copies of each lead."""
    rng, pairs = random.Random(seed), []
    salesforce = total - len(contact_ids)
    for i in range(total):
        hubspot = i >= salesforce
        email = f"p{(i - salesforce) * 2 if hubspot else i}@example.com"
        created = NOW - QUARTER - timedelta(days=rng.randrange(30))
        gone = created + timedelta(days=rng.randrange(1, 100), hours=rng.randrange(24))
        status = Status.NURTURE if rng.random() < 0.55 else Status.UNQUALIFIED
        reason = rng.choice(REASONS)
        new = Lead(
            "hubspot" if hubspot else "salesforce",
            contact_ids[i - salesforce] if hubspot else f"00Q{i:012d}", Status.NEW,
            email=email, lead_source=rng.choice(("Webinar", "Web", "Trade Show", "Partner")),
            campaign=f"Campaign {rng.randrange(40)}", owner=f"owner-{rng.randrange(60)}",
            created_at=created, modified_at=created,
        )  # fmt: skip
        later = replace(new, status=status, modified_at=min(gone, NOW))
        if status is Status.NURTURE:
            pairs.append((new, replace(later, nurture_reason=reason)))
        else:
            pairs.append((new, replace(later, unqualified_reason=reason)))
    return pairs


def store(sessions: sessionmaker[Session], copies: list[Lead]) -> None:
    for start in range(0, len(copies), PAGE):
        page = copies[start : start + PAGE]
        with sessions.begin() as session:
            results = upsert_leads(session, page, NOW)
            record_status_changes(session, page, results, NOW)


def push(label: str, app: HubSpotEmulator, step: FeedbackStep, since: datetime) -> None:
    before = dict(app.calls)
    started = time.perf_counter()
    report = step.run(FeedbackRequest(since=since.date()))
    seconds = time.perf_counter() - started
    calls = {op: n - before.get(op, 0) for op, n in app.calls.items() if n - before.get(op, 0)}
    print(f"{label}: {seconds:.1f} s, {report.api_calls} API calls {calls}")
    _targets(report, calls)


def _targets(report: FeedbackReport, calls: dict[str, int]) -> None:
    for result in report.pushes:
        if result.target == "custom_object":
            spent = calls.get("objects", 0) + calls.get("schemas", 0)
            floor = math.ceil(result.changed / 100) if result.changed else 0
            ratio = f"{spent / floor:.3f}x" if floor else "-"
        else:
            spent = sum(calls.get(op, 0) for op in ("batch_read", "batch_update")) + sum(
                n for op, n in calls.items() if op.startswith("properties")
            )
            floor = math.ceil(result.changed / 100) if result.changed else 0
            ratio = f"{spent / floor:.3f}x" if floor else "-"
        print(f"  {result.target:<19} {result.records:>7} records {result.changed:>7} changed "
              f"{result.sent:>7} sent {spent:>5} calls, ceil(changed/100) = {floor}: {ratio}"
              + (f"  error: {result.error}" if result.error else ""))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    app = HubSpotEmulator(contacts=0, seed=args.seed, now=lambda: NOW)
    contact_ids = app.add_contacts(args.leads * 2 // 5)
    pairs = leads(args.leads, contact_ids, args.seed)
    with tempfile.TemporaryDirectory() as tmp, Server(app) as server:
        folder = Path(tmp)
        (folder / "secret").write_text("pat-sandbox-token\n", encoding="utf-8")
        url = f"sqlite:///{folder / 'feedback.db'}"
        (folder / "leadloop.yaml").write_text(
            CONFIG.format(store=url, hubspot=server.url), encoding="utf-8"
        )
        settings = load_settings(folder / "leadloop.yaml", env={})
        engine = make_engine(url)
        upgrade(engine)
        sessions = session_factory(engine)
        store(sessions, [new for new, _ in pairs])
        store(sessions, [gone for _, gone in pairs])
        step = FeedbackStep(settings, sessions, lambda: NOW)
        since = NOW - QUARTER
        print(f"{args.leads:,} leads, a quarter of weekly feedback")
        push("first push", app, step, since)
        push("second push, nothing changed", app, step, since)
        changed = [replace(gone, nurture_reason="Bad Timing", unqualified_reason=None,
                           status=Status.NURTURE, modified_at=NOW)
                   for _, gone in pairs[: args.leads // 100]]  # fmt: skip
        store(sessions, changed)
        push("after 1% of the leads changed", app, step, since)
        engine.dispose()


if __name__ == "__main__":
    main()
