"""The write path never clobbers a person: saves landing within the evaluated stamp (the same
second on Salesforce, the same millisecond on HubSpot) are seen by their values."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from connectors.hubspot.streams import parse_stamp
from connectors.salesforce.streams import parse_datetime
from sync.store.models import OutboxItem, OutboxState
from tests.e2e.conftest import Harness


def _states(harness: Harness, record_id: str) -> list[OutboxState]:
    with harness.sessions() as session:
        query = select(OutboxItem.state).where(OutboxItem.external_id == record_id)
        return list(session.scalars(query))


def test_given_a_rep_disqualifying_a_lead_in_the_evaluated_second_then_its_reason_is_kept(
    harness: Harness,
) -> None:
    """leadloop clears the Unqualified reason of a Working lead; the rep sets the lead to
    Unqualified in the very second leadloop read it: the reason now applies and stays."""
    emulator, clock = harness.box.salesforce, harness.clock
    lead = harness.sf_leads("lingering_unqualified_reason")[0]

    def rep_saves_in_the_same_second(_: object) -> None:
        now = clock.now
        clock.now = parse_datetime(lead["SystemModstamp"]) + timedelta(milliseconds=600)
        emulator.human_edit(lead["Id"], {"Status": "Unqualified"})
        clock.now = now

    # the pull's query, then the writer's re-read: the rep saves between the two
    emulator.before_next(
        "query", lambda _e: emulator.before_next("query", rep_saves_in_the_same_second)
    )
    harness.sync("salesforce")

    after = emulator.record(lead["Id"])
    assert after["SystemModstamp"] == lead["SystemModstamp"]  # the stamp could not tell
    assert (after["Status"], after["Unqualified_Reason__c"]) == (
        "Unqualified",
        lead["Unqualified_Reason__c"],
    )
    assert _states(harness, lead["Id"]) == [OutboxState.CONFLICT]


def test_given_a_rep_disqualifying_a_contact_in_the_evaluated_millisecond_then_it_is_kept(
    harness: Harness,
) -> None:
    emulator, clock = harness.box.hubspot, harness.clock
    contact = harness.hs_contacts("lingering_unqualified_reason")[0]
    stamp = parse_stamp(contact["properties"]["lastmodifieddate"])
    assert stamp is not None

    def rep_saves_in_the_same_millisecond() -> None:
        now = clock.now
        clock.now = stamp
        emulator.human_edit(contact["id"], {"hs_lead_status": "UNQUALIFIED"})
        clock.now = now

    emulator.before_next("batch_read", rep_saves_in_the_same_millisecond)  # the writer's read
    harness.sync("hubspot")

    after = emulator.contact(contact["id"])["properties"]
    assert (after["hs_lead_status"], after["unqualified_reason"]) == (
        "UNQUALIFIED",
        contact["properties"]["unqualified_reason"],
    )
    assert _states(harness, contact["id"]) == [OutboxState.CONFLICT]
