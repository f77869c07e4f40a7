"""The write path never clobbers a person: saves landing within the evaluated stamp (the same
second on Salesforce, the same millisecond on HubSpot) are seen by their values."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from connectors.hubspot.streams import parse_stamp
from connectors.salesforce.streams import parse_datetime
from sync.pipeline import outbox
from sync.pipeline.sources import open_sources
from sync.pipeline.undo import undo_run
from sync.store.models import OutboxItem, OutboxState, Run
from tests.e2e.conftest import Harness, before_query


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

    # the count, the pull's query, then the writer's re-read: the rep saves before the last
    before_query(emulator, 3, rep_saves_in_the_same_second)
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


def _die_before_recording(*_args: object, **_kwargs: object) -> dict[str, int]:
    """A SIGKILL between the CRM's answer and the commit of the outcomes, in process."""
    raise SystemExit("killed after the CRM applied the batch")


@pytest.mark.parametrize(
    ("source", "reason"),
    [("salesforce", "Unqualified_Reason__c"), ("hubspot", "unqualified_reason")],
)
def test_given_a_worker_killed_right_after_the_crm_applied_a_batch_then_the_next_run_knows(
    harness: Harness, monkeypatch: pytest.MonkeyPatch, source: str, reason: str
) -> None:
    """The next run reconciles the batch in flight before sending anything: recorded as
    applied (not sent again), in the run that sent it, so undo restores it."""
    records = _lingering(harness, source)
    before = {r["id"]: r[reason] for r in records}
    monkeypatch.setattr(outbox, "record_outcomes", _die_before_recording)
    with pytest.raises(SystemExit):
        harness.sync(source)
    monkeypatch.undo()
    applied = _lingering(harness, source)
    assert not any(r[reason] for r in applied)  # the CRM applied the batch

    harness.clock.advance()
    harness.sync(source)

    assert _lingering(harness, source) == applied  # not written again (stamps unchanged)
    with harness.sessions() as session:
        items = session.scalars(select(OutboxItem).where(OutboxItem.external_id.in_(before)))
        sent = [(i.state, i.applied, i.sent_run_id is not None) for i in items]
        first_run = session.scalar(select(func.min(Run.id)).where(Run.source == source))
    assert sent and set(sent) == {(OutboxState.SENT, True, True)}
    assert first_run is not None
    harness.clock.advance()
    with open_sources(harness.settings, [source]) as sources:
        report = undo_run(harness.sessions, sources, first_run, harness.clock)
    assert report.reverted >= len(before) and not report.conflicts and not report.failed
    assert {r["id"]: r[reason] for r in _lingering(harness, source)} == before


def _lingering(harness: Harness, source: str) -> list[dict[str, object]]:
    """The records whose stale unqualified reason leadloop clears, flattened to fields."""
    if source == "salesforce":
        return [
            {**lead, "id": lead["Id"]} for lead in harness.sf_leads("lingering_unqualified_reason")
        ]
    contacts = harness.hs_contacts("lingering_unqualified_reason")
    return [{**c["properties"], "id": c["id"]} for c in contacts]
