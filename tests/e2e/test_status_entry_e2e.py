"""When a lead first seen in its status entered it, over the real clients (issue 9.1).

A rep disqualified the lead ten days ago and someone edited another field an hour ago: the
CRM's stamp at first sight says "an hour ago at the latest". HubSpot keeps the status
property's history, so leadloop reads the exact time (once per lead, 50 contacts per call)
and flags the contact at once; on Salesforce (no field history read) the grace period counts
from that stamp, so the flag comes a grace period later, never early.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from sync.store.models import FindingRow, LeadRow
from tests.e2e.conftest import START, Harness

GRACE = timedelta(days=3)


def _open_findings(harness: Harness, source: str, external_id: str) -> list[FindingRow]:
    with harness.sessions() as session:
        return list(
            session.scalars(
                select(FindingRow)
                .join(LeadRow, LeadRow.id == FindingRow.lead_id)
                .where(
                    LeadRow.source == source,
                    LeadRow.external_id == external_id,
                    FindingRow.policy == "require_reason",
                    FindingRow.resolved_at.is_(None),
                )
            )
        )


def test_given_a_contact_disqualified_long_before_its_last_edit_then_history_flags_it_at_once(
    harness: Harness,
) -> None:
    hubspot = harness.box.hubspot
    contact = harness.hs_contacts("working_clean")[0]["id"]
    hubspot.human_edit(contact, {"hs_lead_status": "UNQUALIFIED"})
    harness.clock.advance(days=10)
    hubspot.human_edit(contact, {"jobtitle": "Head of Growth"})
    harness.clock.advance(hours=1)

    harness.sync("hubspot")

    (finding,) = _open_findings(harness, "hubspot", contact)
    assert finding.evidence["since"] == START.isoformat()
    assert hubspot.contact(contact)["properties"]["leadloop_review"].startswith("leadloop:")
    reads = hubspot.calls["batch_read"]
    harness.clock.advance(hours=6)
    harness.sync("hubspot")
    assert hubspot.calls["batch_read"] - reads <= 1  # the writer's re-read at most: no history


def test_given_a_salesforce_lead_disqualified_before_its_last_edit_then_grace_counts_from_it(
    harness: Harness,
) -> None:
    salesforce = harness.box.salesforce
    lead = harness.sf_leads("working_clean")[0]["Id"]
    salesforce.human_edit(lead, {"Status": "Nurture"})
    harness.clock.advance(days=10)
    salesforce.human_edit(lead, {"Title": "Head of Growth"})
    harness.clock.advance(hours=1)

    harness.sync("salesforce")
    assert _open_findings(harness, "salesforce", lead) == []  # it may be an hour in nurture

    harness.clock.advance(GRACE)
    harness.sync("salesforce")
    (finding,) = _open_findings(harness, "salesforce", lead)
    assert finding.evidence["since"] == (START + timedelta(days=10)).isoformat()
