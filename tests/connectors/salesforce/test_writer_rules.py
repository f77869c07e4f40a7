"""Write-back decisions that need no network: batching, idempotency, conflicts, SaveResults."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from connectors.base import Correction, OutcomeStatus, WriteOutcome
from connectors.batching import merge_by_record
from connectors.salesforce import writer
from connectors.salesforce.reread import Shared, reread_soql

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
STAMP = "2026-03-01T12:00:00.000+0000"


def correction(
    record_id: str = "00Q1", key: str = "k1", expected: datetime | None = T0, **changes: str | None
) -> Correction:
    return Correction(key, record_id, changes or {"Unqualified_Reason__c": None}, expected)


TYPES = {
    "Id": "id",
    "Status": "picklist",
    "Unqualified_Reason__c": "picklist",
    "Nurture_Reason__c": "picklist",
    "Wants_Call__c": "boolean",
    "Lead_Score__c": "double",
}


def current(stamp: str = STAMP, **fields: Any) -> dict[str, Any]:
    return {"Id": "00Q1", "SystemModstamp": stamp, "IsDeleted": False, **fields}


def test_given_a_records_corrections_when_merging_then_one_update_later_values_winning() -> None:
    early, late = T0, T0 + timedelta(seconds=5)
    items = [
        Correction("a", "00Q1", {"Status": "Nurture", "Nurture_Reason__c": None}, late),
        Correction("b", "00Q2", {"Status": "Working - Contacted"}, early),
        Correction("c", "00Q1", {"Nurture_Reason__c": "Bad Timing"}, early),
    ]
    updates = merge_by_record(items)
    assert [(u.correction.key, [m.key for m in u.members]) for u in updates] == [
        ("a", ["a", "c"]),
        ("b", ["b"]),
    ]
    assert updates[0].correction.changes == {"Status": "Nurture", "Nurture_Reason__c": "Bad Timing"}
    assert updates[0].correction.expected_modstamp == early


def test_given_a_batch_when_building_reread_then_one_query_with_changed_fields() -> None:
    batch = [
        correction("00Q2", "a", Status="Working - Contacted"),
        correction("00Q1", "b", Nurture_Reason__c=None),
    ]
    assert reread_soql("Lead", batch) == (
        "SELECT Id, SystemModstamp, LastModifiedById, IsDeleted, Nurture_Reason__c, Status "
        "FROM Lead WHERE Id IN ('00Q1','00Q2')"
    )


def test_given_values_already_present_when_deciding_then_sent_without_write() -> None:
    """An idempotent re-send after a crash: SENT, applied=False, even if the stamp moved on."""
    row = current("2026-03-02T00:00:00.000+0000", Unqualified_Reason__c="No Budget")
    outcome = writer.decide(correction(Unqualified_Reason__c="No Budget"), row, TYPES)
    assert outcome is not None
    assert (outcome.status, outcome.applied) == (OutcomeStatus.SENT, False)


def test_given_a_later_stamp_and_other_values_when_deciding_then_conflict() -> None:
    row = current("2026-03-01T12:00:01.000+0000", Unqualified_Reason__c="Competitor")
    outcome = writer.decide(correction(Unqualified_Reason__c=None), row, TYPES)
    assert outcome is not None and outcome.status is OutcomeStatus.CONFLICT
    assert "after evaluation" in (outcome.message or "")


API_USER, REP = "005000000000001AAA", "005000000000002AAA"
LATER = "2026-03-01T12:00:01.000+0000"


def reason_fix(maybe_sent: bool = False) -> Correction:
    """Clear a lingering reason of a Working lead, decided on its status and reason."""
    return Correction(
        "k1",
        "00Q1",
        {"Unqualified_Reason__c": None},
        T0,
        expected={"Unqualified_Reason__c": "Competitor", "Status": "Working - Contacted"},
        maybe_sent=maybe_sent,
    )


def lead_row(stamp: str = STAMP, by: str = REP, **fields: Any) -> dict[str, Any]:
    values = {"Unqualified_Reason__c": "Competitor", "Status": "Working - Contacted", **fields}
    return current(stamp, LastModifiedById=by, **values)


@pytest.mark.parametrize(
    "edit",
    [{"Unqualified_Reason__c": "Duplicate"}, {"Status": "Unqualified"}],
    ids=["the changed field", "the status it was decided on"],
)
def test_given_a_save_in_the_evaluated_second_when_deciding_then_conflict_naming_the_field(
    edit: dict[str, str],
) -> None:
    outcome = writer.decide(reason_fix(), lead_row(**edit), TYPES, API_USER)
    assert outcome is not None and outcome.status is OutcomeStatus.CONFLICT
    assert next(iter(edit)) in (outcome.message or "")


def test_given_a_later_save_by_leadloop_itself_when_deciding_then_the_values_decide() -> None:
    assert writer.decide(reason_fix(), lead_row(LATER, by=API_USER), TYPES, API_USER) is None


@pytest.mark.parametrize("user", [API_USER, None], ids=["someone else", "user unknown"])
def test_given_a_later_save_by_another_user_when_deciding_then_conflict(user: str | None) -> None:
    outcome = writer.decide(reason_fix(), lead_row(LATER, by=REP), TYPES, user)
    assert outcome is not None and outcome.status is OutcomeStatus.CONFLICT


@pytest.mark.parametrize(("by", "applied"), [(API_USER, True), (REP, False)])
def test_given_a_maybe_sent_fix_found_in_place_when_deciding_then_applied_if_we_saved_last(
    by: str, applied: bool
) -> None:
    row = lead_row(LATER, by=by, Unqualified_Reason__c=None)
    outcome = writer.decide(reason_fix(maybe_sent=True), row, TYPES, API_USER)
    assert outcome is not None and (outcome.status, outcome.applied) == (
        OutcomeStatus.SENT,
        applied,
    )
    assert outcome.new_modstamp == T0 + timedelta(seconds=1)


def test_given_an_unchanged_stamp_when_deciding_then_written() -> None:
    assert writer.decide(correction(), current(Unqualified_Reason__c="Competitor"), TYPES) is None


@pytest.mark.parametrize(
    ("row", "message"), [(None, "record not found"), (current(IsDeleted=True), "record deleted")]
)
def test_given_a_missing_or_deleted_record_when_deciding_then_dead(
    row: dict[str, Any] | None, message: str
) -> None:
    outcome = writer.decide(correction(), row, TYPES)
    assert outcome is not None and (outcome.status, outcome.message) == (
        OutcomeStatus.DEAD,
        message,
    )


@pytest.mark.parametrize(
    ("value", "target", "same"),
    [
        (None, None, True),
        (None, "", True),
        ("", None, True),
        (True, "true", True),
        (False, "true", False),
        (42.0, "42", True),
        (42.5, "42.5", True),
        ("A", "a", False),
        (None, "A", False),
    ],
)
def test_given_json_values_when_comparing_with_targets_then_typed_equality(
    value: Any, target: str | None, same: bool
) -> None:
    assert writer.same_value(value, target) is same


@pytest.mark.parametrize(
    ("error", "status", "text"),
    [
        (
            {"statusCode": "UNABLE_TO_LOCK_ROW", "message": "unable to obtain exclusive access"},
            OutcomeStatus.RETRY,
            "UNABLE_TO_LOCK_ROW",
        ),
        (
            {
                "statusCode": "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                "message": "Unqualified Reason: bad value for restricted picklist field: Nope",
                "fields": ["Unqualified_Reason__c"],
            },
            OutcomeStatus.DEAD,
            "Unqualified_Reason__c: value 'Nope' is not allowed",
        ),
        (
            {"statusCode": "FIELD_CUSTOM_VALIDATION_EXCEPTION", "message": "Reason required"},
            OutcomeStatus.DEAD,
            "validation rule: Reason required",
        ),
        (
            {
                "statusCode": "CANNOT_UPDATE_CONVERTED_LEAD",
                "message": "cannot reference converted lead",
            },
            OutcomeStatus.DEAD,
            "converted lead cannot be updated",
        ),
        (
            {"statusCode": "ENTITY_IS_DELETED", "message": "entity is deleted"},
            OutcomeStatus.DEAD,
            "record deleted",
        ),
    ],
)
def test_given_a_failed_save_result_when_mapping_then_per_record_outcome(
    error: dict[str, Any], status: OutcomeStatus, text: str
) -> None:
    outcome = writer.save_outcome(
        correction(Unqualified_Reason__c="Nope"), {"success": False, "errors": [error]}
    )
    assert outcome.status is status
    assert text in (outcome.message or "")


def test_given_a_successful_save_result_when_mapping_then_sent_and_applied() -> None:
    outcome = writer.save_outcome(correction(), {"id": "00Q1", "success": True, "errors": []})
    assert (outcome.status, outcome.applied) == (OutcomeStatus.SENT, True)


def test_given_corrections_when_building_body_then_collections_shape() -> None:
    body = writer.collection_body(
        "Lead",
        [
            correction(
                Status="Nurture", Nurture_Reason__c=None, Wants_Call__c="true", Lead_Score__c="12"
            )
        ],
        TYPES,
    )
    assert body == {
        "allOrNone": False,
        "records": [
            {
                "attributes": {"type": "Lead"},
                "id": "00Q1",
                "Status": "Nurture",
                "Nurture_Reason__c": None,
                "Wants_Call__c": True,
                "Lead_Score__c": 12.0,
            }
        ],
    }


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"Lead_Score__c": "high"}, "bad value"),
        ({"Wants_Call__c": "yes"}, "bad value"),
        ({"Rating__c": "Hot"}, "no field Rating__c"),
    ],
)
def test_given_a_value_the_field_cannot_take_when_deciding_then_dead_before_writing(
    changes: dict[str, str | None], message: str
) -> None:
    outcome = writer.decide(Correction("k", "00Q1", changes, T0), current(), TYPES)
    assert outcome is not None and outcome.status is OutcomeStatus.DEAD
    assert message in (outcome.message or "")


def test_given_a_bad_field_name_when_deciding_then_dead_without_query_injection() -> None:
    bad = Correction("k", "00Q1", {"Status FROM User --": "x"}, T0 - timedelta(days=1))
    outcome = writer.decide(bad, current(), TYPES)
    assert outcome is not None and outcome.status is OutcomeStatus.DEAD
    assert "Status FROM User" not in reread_soql("Lead", [bad])


def test_given_a_shared_reread_when_fixes_landed_then_its_rows_hold_them_typed() -> None:
    """The task step compares the leads' values with what its flag was decided on, leniently
    against typed values (True vs "True"); the shared read with leadloop's writes applied must
    hold them typed like a fresh read, or a boolean written as "true" reads as a change."""
    stamp = datetime(2026, 1, 1, tzinfo=UTC)
    row = {"Id": "00Q1", "IsDeleted": False, "Wants_Call__c": True, "Lead_Score__c": 3.0}
    fix = Correction(
        "f",
        "00Q1",
        {"Wants_Call__c": "false", "Lead_Score__c": "12"},
        stamp,
        {"Wants_Call__c": "True"},
    )
    shared = Shared([], (), {"00Q1": row})
    sent = WriteOutcome("f", "00Q1", OutcomeStatus.SENT, None, True)

    after = shared.after([fix], [sent], {"Wants_Call__c": "boolean", "Lead_Score__c": "double"})

    assert after is not None and after["00Q1"]["Wants_Call__c"] is False
    assert after["00Q1"]["Lead_Score__c"] == 12.0
    assert writer.same_value(after["00Q1"]["Wants_Call__c"], "False")
