"""Writing corrections: calls per batch, per-record failures, typed values, transient faults."""

from __future__ import annotations

from collections import Counter

from connectors.base import Correction, OutcomeStatus
from tests.connectors.contract import writable_ids
from tests.connectors.salesforce.harness import SalesforceHarness


def corrections(org: SalesforceHarness, ids: list[str], **changes: str | None) -> list[Correction]:
    values = changes or {"Nurture_Reason__c": "Bad Timing"}
    return [Correction(f"k{n}", i, values, org.modstamp(i)) for n, i in enumerate(ids)]


def rule_abiding(org: SalesforceHarness, ids: list[str]) -> list[str]:
    """The leads the org's validation rule lets any write through to: not an Unqualified lead
    without its reason (the rule refuses every write to those, whatever the write is)."""
    return [
        i
        for i in ids
        if org.raw(i)["Status"] != "Unqualified" or org.raw(i)["Unqualified_Reason__c"]
    ]


def test_given_450_corrections_when_writing_then_two_calls_per_batch_of_200() -> None:
    org = SalesforceHarness(leads=800)
    try:
        connector = org.connector()
        ids = rule_abiding(org, writable_ids(org, 800))[:450]
        assert len(ids) == 450
        outcomes = connector.write(corrections(org, ids))
        assert Counter((o.status, o.applied) for o in outcomes) == {(OutcomeStatus.SENT, True): 450}
        assert (org.app.calls["query"], org.app.calls["composite"]) == (3, 3)
        assert connector.usage.by_operation == {
            "login": 1,
            "describe": 1,
            "reread": 3,
            "composite": 3,
        }
    finally:
        org.stop()


def test_given_converted_and_deleted_leads_when_writing_then_dead_with_reasons(
    org: SalesforceHarness,
) -> None:
    live, converted = writable_ids(org, 1)[0], org.seeded_ids()[1]
    org.app.convert(converted)
    deleted = org.deleted_ids()[0]
    outcomes = org.connector().write(corrections(org, [live, converted, deleted]))
    assert [(o.status, o.message) for o in outcomes] == [
        (OutcomeStatus.SENT, None),
        (OutcomeStatus.DEAD, "converted lead cannot be updated (cannot reference converted lead)"),
        (OutcomeStatus.DEAD, "record deleted"),
    ]
    sent = org.app.requests[-1].json()["records"]
    assert [r["id"] for r in sent] == [live, converted]  # the deleted one is not sent


def test_given_locked_rows_when_writing_then_retry_outcomes(org: SalesforceHarness) -> None:
    org.app.faults.script("composite", "unable_to_lock_row")
    outcomes = org.connector().write(corrections(org, writable_ids(org, 2)))
    assert {o.status for o in outcomes} == {OutcomeStatus.RETRY}
    assert all("UNABLE_TO_LOCK_ROW" in (o.message or "") for o in outcomes)


def test_given_a_validation_rule_when_writing_then_dead_with_the_rule_text() -> None:
    org = SalesforceHarness()  # the org's "reason required when Unqualified" rule is on
    try:
        ids = writable_ids(org, 1)
        (outcome,) = org.connector().write(
            corrections(org, ids, Status="Unqualified", Unqualified_Reason__c=None)
        )
        assert outcome.status is OutcomeStatus.DEAD
        assert outcome.message == ("validation rule: Unqualified leads need an Unqualified Reason.")
    finally:
        org.stop()


def test_given_text_values_for_typed_fields_when_writing_then_sent_as_json_types(
    org: SalesforceHarness,
) -> None:
    (record_id,) = writable_ids(org, 1)
    want = "false" if org.raw(record_id)["Wants_Call__c"] else "true"
    (outcome,) = org.connector().write(
        corrections(org, [record_id], Wants_Call__c=want, Lead_Score__c="77")
    )
    assert outcome.status is OutcomeStatus.SENT
    assert org.raw(record_id)["Wants_Call__c"] is (want == "true")
    assert org.raw(record_id)["Lead_Score__c"] == 77.0


def test_given_a_503_on_the_patch_when_writing_then_retried_and_sent(
    org: SalesforceHarness,
) -> None:
    org.app.faults.script("composite", "http503")
    outcomes = org.connector().write(corrections(org, writable_ids(org, 3)))
    assert [o.status for o in outcomes] == [OutcomeStatus.SENT] * 3
    assert org.app.calls["composite"] == 2 and len(org.sleeps.waits) == 1


def test_given_nothing_to_write_when_writing_then_no_request(org: SalesforceHarness) -> None:
    assert org.connector().write([]) == []
    assert org.requests() == 0
