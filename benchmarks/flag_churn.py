"""Flag churn: review-flag writes and open findings of reason-less leads over several grace periods.

Both emulators as strict as the live APIs (no status-changed date on Lead nor on contacts,
whole-second stamps), a SQLite store, and a scheduled worker's rhythm: one ``sync`` of both
sources every ``--every`` hours for ``--periods`` grace periods of ``require_reason`` (3 days by
default). Nobody edits anything: a settled org should cost no write at all after the first
flags. Printed per grace period and source: review-flag writes (set / cleared) per reason-less
lead, and the open ``require_reason`` findings at the end of each sync (lowest and highest)
against the reason-less disqualified leads the CRM really holds.

The "reason required when Unqualified" validation rule is switched off on the Salesforce
emulator: it refuses the flag on exactly these leads (issue 9.5, a flag channel of its own),
which would hide the churn this measures.

Run: ``.venv/bin/python benchmarks/flag_churn.py --leads 2000 --contacts 1200``.
"""

from __future__ import annotations

import argparse
import logging
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from connectors.sandbox.runner import Sandbox, SandboxOptions
from sync.config.settings import load_settings
from sync.demo import write_config
from sync.pipeline.engine import Engine, SyncRequest
from sync.pipeline.sources import open_sources
from sync.store.db import make_engine, session_factory, upgrade
from sync.store.models import FindingRow, LeadRow, OutboxItem

START = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
SF_DISQUALIFIED = {"Nurture": "Nurture_Reason__c", "Unqualified": "Unqualified_Reason__c"}
SF_DISQUALIFIED["Closed - Not Converted"] = "Unqualified_Reason__c"
HS_DISQUALIFIED = {"BAD_TIMING": "nurture_reason", "UNQUALIFIED": "unqualified_reason"}
#: a stored lead that is nurture or unqualified without the reason of its status
REASONLESS = or_(
    and_(LeadRow.status == "nurture", LeadRow.nurture_reason.is_(None)),
    and_(LeadRow.status == "unqualified", LeadRow.unqualified_reason.is_(None)),
)


class Clock:
    """The emulators' and the worker's shared clock, moved by the schedule."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Period:
    """What one grace period of syncs did, per source."""

    flags_set: Counter[str] = field(default_factory=Counter)
    flags_cleared: Counter[str] = field(default_factory=Counter)
    open_findings: dict[str, list[int]] = field(default_factory=dict)
    reasonless: dict[str, list[int]] = field(default_factory=dict)


def reasonless(box: Sandbox) -> dict[str, int]:
    """Live disqualified leads without their reason, as the CRMs hold them now."""
    sf = sum(
        1
        for row in box.salesforce.records()
        if not row["IsDeleted"]
        and not row.get("IsConverted")
        and row["Status"] in SF_DISQUALIFIED
        and not (row.get(SF_DISQUALIFIED[row["Status"]]) or "").strip()
    )
    hs = 0
    for contact_id in list(box.hubspot.contacts.records):
        contact = box.hubspot.contact(contact_id)
        props = contact["properties"]
        status = props.get("hs_lead_status")
        if not contact.get("archived") and status in HS_DISQUALIFIED:
            hs += not (props.get(HS_DISQUALIFIED[status]) or "").strip()
    return {"salesforce": sf, "hubspot": hs}


def measure(
    sessions: sessionmaker[Session], run_ids: dict[str, int], period: Period, truth: dict[str, int]
) -> None:
    """Add one sync's flag writes on reason-less leads and its open findings to ``period``."""
    with sessions() as session:
        for source, run_id in run_ids.items():
            rows = session.execute(
                select(OutboxItem.new_value)
                .join(LeadRow, LeadRow.id == OutboxItem.lead_id)
                .where(
                    OutboxItem.sent_run_id == run_id,
                    OutboxItem.field == "review_flag",
                    OutboxItem.applied.is_(True),
                    REASONLESS,
                )
            ).scalars()
            for value in rows:
                (period.flags_set if value else period.flags_cleared)[source] += 1
            open_now = session.scalar(
                select(func.count())
                .select_from(FindingRow)
                .join(LeadRow, LeadRow.id == FindingRow.lead_id)
                .where(
                    LeadRow.source == source,
                    FindingRow.policy == "require_reason",
                    FindingRow.resolved_at.is_(None),
                )
            )
            period.open_findings.setdefault(source, []).append(open_now or 0)
            period.reasonless.setdefault(source, []).append(truth[source])


def run(args: argparse.Namespace) -> list[Period]:
    clock = Clock(START)
    quirks = frozenset({"salesforce.reason_required_rule"})
    options = SandboxOptions(leads=args.leads, contacts=args.contacts, now=clock, quirks_off=quirks)
    box = Sandbox(options).start()
    periods: list[Period] = []
    try:
        directory = Path(tempfile.mkdtemp(prefix="leadloop-churn-"))
        settings = load_settings(write_config(directory, box.salesforce_url, box.hubspot_url))
        grace = settings.policies.require_reason.grace_period
        engine = make_engine(settings.store.dsn)
        upgrade(engine)
        sessions = session_factory(engine)
        per_period = int(grace / timedelta(hours=args.every))
        for _ in range(args.periods):
            period = Period()
            for _ in range(per_period):
                clock.now += timedelta(hours=args.every)
                run_ids = {}
                with open_sources(settings) as sources:
                    loop = Engine(settings, sessions, clock)
                    for source in sources.values():
                        report = loop.sync(source, SyncRequest(allow_mass_change=True))
                        assert report.run_id is not None
                        run_ids[source.name] = report.run_id
                measure(sessions, run_ids, period, reasonless(box))
            periods.append(period)
        engine.dispose()
    finally:
        box.stop()
    return periods


def report(periods: list[Period], every: int) -> None:
    print(f"one sync of both sources every {every} h, {len(periods)} grace periods")
    print("flag writes on reason-less leads (set, cleared, per lead) and open require_reason")
    print("findings after each sync (lowest, mean, highest) vs reason-less leads in the CRM")
    header = f"{'period':>6} {'source':<11} {'set':>5} {'cleared':>7} {'per lead':>8}"
    print(header + f" {'open findings':>22} {'in CRM':>7}")
    for number, period in enumerate(periods, 1):
        for source in ("salesforce", "hubspot"):
            truth = period.reasonless[source]
            writes = period.flags_set[source] + period.flags_cleared[source]
            per_lead = writes / max(truth[-1], 1)
            found = period.open_findings[source]
            mean = sum(found) / len(found)
            print(
                f"{number:>6} {source:<11} {period.flags_set[source]:>5} "
                f"{period.flags_cleared[source]:>7} {per_lead:>8.2f} "
                f"{min(found):>7} {mean:>6.1f} {max(found):>7} {truth[-1]:>7}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=2000)
    parser.add_argument("--contacts", type=int, default=1200)
    parser.add_argument("--periods", type=int, default=4, help="grace periods to simulate")
    parser.add_argument("--every", type=int, default=6, help="hours between two syncs")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    report(run(args), args.every)


if __name__ == "__main__":
    main()
