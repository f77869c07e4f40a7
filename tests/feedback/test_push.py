"""The push end to end: real hubspot-api-client, the HubSpot emulator over HTTP, a real store.

Both sources are synced first (the store then holds the Salesforce leads and the HubSpot
contacts the push matches by email)."""

from __future__ import annotations

from typing import Any

import pytest

from connectors.http import RetryPolicy
from sync.feedback.push import PushResult
from sync.feedback.step import FeedbackReport, FeedbackRequest, FeedbackStep
from sync.feedback.targets import DISQUALIFIED_ON, KEY, REASON, SALES_STATUS
from tests.e2e.conftest import Harness

OBJECT = "leadloop_feedback"


class Waits(list[float]):
    """A sleep that records the retry policy's waits instead of sleeping."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def feedback(harness: Harness, **request: Any) -> FeedbackReport:
    step = FeedbackStep(harness.settings, harness.sessions, harness.clock, sleep=Waits())
    return step.run(FeedbackRequest(**request))


def pushed(report: FeedbackReport) -> dict[str, PushResult]:
    return {push.target: push for push in report.pushes}


def records(harness: Harness) -> dict[str, dict[str, str]]:
    """The feedback custom object's records in the emulator, by key."""
    store = harness.box.hubspot.store_for(OBJECT)
    assert store is not None, "the custom object was not created"
    return {r.properties[KEY]: dict(r.properties) for r in store.records.values() if not r.archived}


def feedback_properties(harness: Harness) -> dict[str, dict[str, str | None]]:
    """Every contact's leadloop properties that are set."""
    found = {}
    for record in harness.box.hubspot.contacts.records.values():
        values = {name: record.properties.get(name) for name in (SALES_STATUS, REASON,
                                                                   DISQUALIFIED_ON)}  # fmt: skip
        if any(values.values()):
            found[str(record.id)] = values
    return found


@pytest.fixture
def synced(harness: Harness) -> Harness:
    harness.sync()
    return harness


def test_given_synced_crms_when_pushed_then_every_record_and_contact_lands_in_hubspot(
    synced: Harness,
) -> None:
    report = feedback(synced)

    custom, contacts = pushed(report)["custom_object"], pushed(report)["contact_properties"]
    assert not report.failed, report.pushes
    assert custom.sent == custom.records == sum(report.records.values()) > 0
    assert len(records(synced)) == custom.records
    assert contacts.sent == contacts.records > 0
    on_contacts = feedback_properties(synced)
    assert len(on_contacts) == contacts.sent
    assert {v[SALES_STATUS] for v in on_contacts.values()} <= {"nurture", "unqualified"}
    assert all(v[DISQUALIFIED_ON] and v[REASON] for v in on_contacts.values())


def test_given_nothing_changed_when_pushed_again_then_no_call_is_made_on_either_store(
    any_store_harness: Harness,
) -> None:
    any_store_harness.sync()
    first = feedback(any_store_harness)
    calls = dict(any_store_harness.box.hubspot.calls)

    again = feedback(any_store_harness)

    assert not first.failed and pushed(first)["custom_object"].sent > 0
    assert again.api_calls == 0 and dict(any_store_harness.box.hubspot.calls) == calls
    assert [(p.changed, p.sent) for p in again.pushes] == [(0, 0), (0, 0)]


def test_given_a_dry_run_then_it_counts_what_would_change_and_calls_nothing(
    synced: Harness,
) -> None:
    calls = dict(synced.box.hubspot.calls)

    report = feedback(synced, dry_run=True)

    assert report.run_id is None and report.api_calls == 0
    assert pushed(report)["custom_object"].changed == pushed(report)["custom_object"].records > 0
    assert dict(synced.box.hubspot.calls) == calls
    assert synced.box.hubspot.store_for(OBJECT) is None


@pytest.fixture
def settled(synced: Harness) -> Harness:
    """Both CRMs synced twice (leadloop's own fixes come back once), then pushed."""
    synced.clock.advance()
    synced.sync()
    feedback(synced)
    return synced


def _nurture_lead_with_contact(harness: Harness) -> tuple[str, str, str]:
    """(Salesforce lead id, its nurture reason, the HubSpot contact id sharing its email)."""
    from sqlalchemy import select

    from sync.store.models import LeadRow

    with harness.sessions() as session:
        contacts = {
            row.email: row.external_id
            for row in session.scalars(select(LeadRow).where(LeadRow.source == "hubspot"))
            if row.email
        }
        for row in session.scalars(
            select(LeadRow).where(LeadRow.source == "salesforce", LeadRow.status == "nurture")
        ):
            if row.email in contacts and row.nurture_reason in ("Unresponsive", "Bad Timing"):
                return row.external_id, row.nurture_reason, contacts[row.email]
    raise AssertionError("the seed has no nurture lead sharing its email with a contact")


def test_given_one_changed_lead_when_pushed_then_exactly_its_records_and_contact_change(
    settled: Harness,
) -> None:
    lead, old, contact = _nurture_lead_with_contact(settled)
    new = "Bad Timing" if old == "Unresponsive" else "Unresponsive"
    before, on_contacts = records(settled), feedback_properties(settled)
    settled.box.salesforce.human_edit(lead, {"Nurture_Reason__c": new})
    settled.clock.advance()
    settled.sync("salesforce")

    report = feedback(settled)

    after = records(settled)
    changed = {k for k in after if after[k] != before.get(k)}
    assert changed and all(after[k]["reason"] in ("bad_timing", "unresponsive") for k in changed)
    assert len({(after[k]["lead_source"], after[k]["campaign"]) for k in changed}) == 1
    custom = pushed(report)["custom_object"]
    assert custom.sent + custom.zeroed == len(changed) <= 4  # old and new reason, week and month
    assert pushed(report)["contact_properties"].sent == 1
    assert feedback_properties(settled)[contact][REASON] == new.lower().replace(" ", "_")
    assert {c: v for c, v in feedback_properties(settled).items() if c != contact} == {
        c: v for c, v in on_contacts.items() if c != contact
    }


def test_given_a_person_edited_a_contacts_feedback_when_it_changes_then_it_is_not_overwritten(
    settled: Harness,
) -> None:
    lead, _, contact = _nurture_lead_with_contact(settled)
    settled.box.hubspot.human_edit(contact, {SALES_STATUS: "working"})
    settled.box.salesforce.human_edit(lead, {"Nurture_Reason__c": "Connected - Not Interested"})
    settled.clock.advance()
    settled.sync("salesforce")

    report = feedback(settled)

    contacts = pushed(report)["contact_properties"]
    assert contacts.conflicts == 1 and contacts.sent == 0
    assert any(f"contact {contact}:" in problem for problem in contacts.problems)
    assert feedback_properties(settled)[contact][SALES_STATUS] == "working"
    assert not report.failed  # reported, not an error: the rest of the push went through


def test_given_an_email_that_two_contacts_share_then_it_is_reported_and_neither_is_guessed(
    settled: Harness,
) -> None:
    from sqlalchemy import update

    from sync.store.models import LeadRow

    lead, _, contact = _nurture_lead_with_contact(settled)
    with settled.sessions() as session:
        email = session.scalar(
            LeadRow.__table__.select()
            .with_only_columns(LeadRow.email)
            .where(LeadRow.external_id == lead)
        )
        other = session.scalar(
            LeadRow.__table__.select()
            .with_only_columns(LeadRow.external_id)
            .where(LeadRow.source == "hubspot", LeadRow.external_id != contact)
            .limit(1)
        )
        session.execute(update(LeadRow).where(LeadRow.external_id == other).values(email=email))
        session.commit()

    report = feedback(settled)

    contacts = pushed(report)["contact_properties"]
    assert contacts.ambiguous == 1
    assert any(f"salesforce lead {lead}: its email belongs to 2" in p for p in contacts.problems)


def _on_call(harness: Harness, op: str, number: int, action: Any) -> None:
    """Run ``action`` just before the ``number``-th next request of operation ``op``."""
    if number == 1:
        harness.box.hubspot.before_next(op, action)
    else:
        harness.box.hubspot.before_next(op, lambda: _on_call(harness, op, number - 1, action))


@pytest.mark.parametrize(
    ("fault", "times", "error"),
    [
        # every attempt of the retry policy refused: a storm
        ("rate_limit_ten_secondly", RetryPolicy().attempts, "burst rate limit"),
        ("rate_limit_daily", 1, "daily API limit reached"),
    ],
)
def test_given_a_429_storm_or_the_daily_limit_mid_push_when_rerun_then_the_push_is_finished(
    synced: Harness, fault: str, times: int, error: str
) -> None:
    faults = synced.box.hubspot.faults
    _on_call(synced, "objects", 2, lambda: faults.script("objects", fault, times))

    broken = feedback(synced)

    custom, contacts = pushed(broken)["custom_object"], pushed(broken)["contact_properties"]
    assert broken.failed and error in (custom.error or "")
    assert 0 < custom.sent < custom.records  # the first batch is in HubSpot and recorded
    assert contacts.error == f"not pushed: {custom.error}" and contacts.sent == 0

    finished = feedback(synced)

    custom_after = pushed(finished)["custom_object"]
    assert not finished.failed
    assert custom_after.sent == custom.records - custom.sent  # only what was missing
    assert len(records(synced)) == custom.records
    assert (
        pushed(finished)["contact_properties"].sent
        == pushed(finished)["contact_properties"].records
    )
    assert feedback(synced).api_calls == 0  # converged


def test_given_a_schema_with_a_property_of_another_type_then_the_object_fails_and_contacts_go(
    synced: Harness,
) -> None:
    from hubspot import Client
    from hubspot.crm.schemas import ObjectSchemaEgg, ObjectTypeDefinitionLabels

    client = Client.create(access_token="pat-sandbox-token", host=synced.box.hubspot_url)
    client.crm.schemas.core_api.create(
        ObjectSchemaEgg(
            name=OBJECT, labels=ObjectTypeDefinitionLabels(singular="F", plural="F"),
            primary_display_property=KEY, required_properties=[KEY],
            properties=[
                {"name": KEY, "label": "Key", "type": "string", "fieldType": "text",
                 "hasUniqueValue": True},
                {"name": "leads", "label": "Leads", "type": "string", "fieldType": "text"},
            ],
        )
    )  # fmt: skip

    report = feedback(synced)

    custom, contacts = pushed(report)["custom_object"], pushed(report)["contact_properties"]
    assert report.failed
    assert custom.error == (
        f"custom object {OBJECT!r}: property 'leads' exists as type 'string', leadloop writes "
        "'number' values; rename or delete that property in HubSpot"
    )
    assert contacts.error is None and contacts.sent == contacts.records > 0


def test_given_a_contact_property_of_another_type_then_contacts_fail_and_the_object_goes(
    synced: Harness,
) -> None:
    from hubspot import Client
    from hubspot.crm.properties import PropertyCreate

    client = Client.create(access_token="pat-sandbox-token", host=synced.box.hubspot_url)
    client.crm.properties.core_api.create(
        "contacts",
        PropertyCreate(name=DISQUALIFIED_ON, label="When", type="string", field_type="text",
                       group_name="contactinformation"),
    )  # fmt: skip

    report = feedback(synced)

    custom, contacts = pushed(report)["custom_object"], pushed(report)["contact_properties"]
    assert contacts.error is not None
    assert f"property {DISQUALIFIED_ON!r} exists as type 'string'" in contacts.error
    assert custom.error is None and custom.sent == custom.records > 0


def test_given_create_is_off_and_no_custom_object_then_it_says_so_and_contacts_still_go(
    synced: Harness,
) -> None:
    from sync.feedback.config import CustomObjectTarget

    feedback_config = synced.settings.feedback.model_copy(
        update={"custom_object": CustomObjectTarget(create=False)}
    )
    synced.settings = synced.settings.model_copy(update={"feedback": feedback_config})

    report = feedback(synced)

    custom, contacts = pushed(report)["custom_object"], pushed(report)["contact_properties"]
    assert custom.error == (
        f"HubSpot has no custom object {OBJECT!r} and feedback.custom_object.create is false: "
        "create it, or allow leadloop to"
    )
    assert synced.box.hubspot.store_for(OBJECT) is None
    assert contacts.error is None and contacts.sent == contacts.records > 0
