"""Describe and updates (sObject Collections PATCH, single PATCH) against the emulator."""

from __future__ import annotations

from typing import Any

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest, SalesforceResourceNotFound

from tests.sandbox.salesforce_support import Running, collection, first_error, running

PATCH = "composite/sobjects"


def patch(sandbox: Running, *records: dict[str, Any], all_or_none: bool = False) -> Any:
    return sandbox.sf.restful(
        PATCH, method="PATCH", json=collection(*records, all_or_none=all_or_none)
    )


def codes(result: dict[str, Any]) -> list[str]:
    return [error["statusCode"] for error in result["errors"]]


def test_given_the_org_when_describing_lead_then_fields_and_picklists_as_salesforce() -> None:
    with running(restricted_reasons=True) as sandbox:
        describe = sandbox.sf.Lead.describe()
    fields = {field["name"]: field for field in describe["fields"]}
    assert describe["name"] == "Lead" and describe["keyPrefix"] == "00Q"
    assert {
        "Id",
        "Status",
        "SystemModstamp",
        "MasterRecordId",
        "ConvertedDate",
        "Email",
        "Nurture_Reason__c",
        "Unqualified_Reason__c",
        "Reason_Detail__c",
        "Lead_Score__c",
        "Wants_Call__c",
        "Campaign__c",
        "Leadloop_Review__c",
        "Name",
        "Salutation",
        "Website",
        "LastModifiedById",
        "CreatedById",
    } <= set(fields)
    assert "Status_Changed_At__c" not in fields  # most orgs have no such field
    status = fields["Status"]
    assert status["picklistValues"][0] == {
        "active": True,
        "defaultValue": True,
        "label": "Open - Not Contacted",
        "validFor": None,
        "value": "Open - Not Contacted",
    }
    reason = fields["Unqualified_Reason__c"]
    assert reason["type"] == "picklist" and reason["restrictedPicklist"] is True
    assert {"Wrong Persona", "No Budget", "Not Interested"} <= {
        value["value"] for value in reason["picklistValues"]
    }
    assert fields["SystemModstamp"]["updateable"] is False
    assert fields["Leadloop_Review__c"]["length"] == 255
    assert fields["ConvertedDate"]["type"] == "date"
    assert fields["OwnerId"]["relationshipName"] == "Owner"
    assert fields["OwnerId"]["polymorphicForeignKey"] is True
    assert fields["Name"]["updateable"] is False and fields["Name"]["nameField"] is True
    assert fields["Website"]["type"] == "url" and fields["Salutation"]["type"] == "picklist"


def test_given_mixed_records_when_patching_without_all_or_none_then_per_record_results() -> None:
    with running(plain=4) as sandbox:
        good, converted, deleted, _ = (row["Id"] for row in sandbox.emulator.records())
        sandbox.emulator.convert(converted)
        sandbox.emulator.delete(deleted)
        results = patch(
            sandbox,
            {"id": good, "Unqualified_Reason__c": "Competitor"},
            {"id": converted, "Title": "x"},
            {"id": deleted, "Title": "x"},
            {"id": "00QDn000000zzzzMAA", "Title": "x"},
            {"id": good, "Nurture_Reason__c": "Made Up"},
        )
        stored = sandbox.emulator.record(good)
    assert results[0] == {"id": good, "success": True, "errors": []}
    assert codes(results[1]) == ["CANNOT_UPDATE_CONVERTED_LEAD"]
    assert codes(results[2]) == ["ENTITY_IS_DELETED"]
    assert results[3] == {
        "success": False,
        "errors": [
            {
                "statusCode": "INVALID_CROSS_REFERENCE_KEY",
                "message": "invalid cross reference id",
                "fields": [],
            }
        ],
    }
    assert results[4]["errors"] == [
        {
            "statusCode": "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
            "message": "Nurture Reason: bad value for restricted picklist field: Made Up",
            "fields": ["Nurture_Reason__c"],
        }
    ]
    assert stored["Unqualified_Reason__c"] == "Competitor" and stored["Nurture_Reason__c"] is None


def test_given_one_bad_record_when_patching_all_or_none_then_everything_rolled_back() -> None:
    with running(plain=2) as sandbox:
        first, second = (row["Id"] for row in sandbox.emulator.records())
        before = sandbox.emulator.record(first)
        results = patch(
            sandbox,
            {"id": first, "Title": "Changed"},
            {"id": second, "SystemModstamp": "2026-01-01T00:00:00Z"},
            all_or_none=True,
        )
        after = sandbox.emulator.record(first)
    assert codes(results[0]) == ["ALL_OR_NONE_OPERATION_ROLLED_BACK"]
    assert results[0]["id"] == first and results[0]["success"] is False
    assert codes(results[1]) == ["INVALID_FIELD_FOR_INSERT_UPDATE"]
    assert after == before


def test_given_unrestricted_reasons_when_patching_an_unknown_value_then_accepted() -> None:
    with running(plain=1, restricted_reasons=False) as sandbox:
        lead = sandbox.lead()
        results = patch(sandbox, {"id": lead["Id"], "Nurture_Reason__c": "Made Up"})
    assert results[0]["success"] is True


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"Lead_Score__c": "high"}, "INVALID_TYPE_ON_FIELD_IN_RECORD"),
        ({"Email": "not-an-email"}, "INVALID_EMAIL_ADDRESS"),
        ({"LastName": None}, "REQUIRED_FIELD_MISSING"),
        ({"Leadloop_Review__c": "x" * 256}, "STRING_TOO_LONG"),
        ({"OwnerId": "001Dn0000000001"}, "MALFORMED_ID"),
        ({"IsConverted": True}, "INVALID_FIELD_FOR_INSERT_UPDATE"),
    ],
)
def test_given_an_invalid_value_when_patching_then_the_record_fails_with_its_code(
    fields: dict[str, Any], code: str
) -> None:
    with running(plain=1) as sandbox:
        results = patch(sandbox, {"id": sandbox.lead()["Id"], **fields})
    assert codes(results[0]) == [code]


def test_given_the_default_org_when_unqualifying_without_reason_then_the_rule_refuses() -> None:
    with running(plain=1) as sandbox:
        lead_id = sandbox.lead()["Id"]
        refused = patch(sandbox, {"id": lead_id, "Status": "Unqualified"})
        with pytest.raises(SalesforceMalformedRequest) as single:
            sandbox.sf.Lead.update(lead_id, {"Status": "Unqualified"})
        accepted = patch(
            sandbox,
            {"id": lead_id, "Status": "Unqualified", "Unqualified_Reason__c": "Wrong Persona"},
        )
        flag = patch(sandbox, {"id": lead_id, "Unqualified_Reason__c": None, "Title": "x"})
    assert refused[0] == {
        "id": lead_id,
        "success": False,
        "errors": [
            {
                "statusCode": "FIELD_CUSTOM_VALIDATION_EXCEPTION",
                "message": "Unqualified leads need an Unqualified Reason.",
                "fields": ["Unqualified_Reason__c"],
            }
        ],
    }
    assert single.value.status == 400
    assert first_error(single.value) == {
        "message": "Unqualified leads need an Unqualified Reason.",
        "errorCode": "FIELD_CUSTOM_VALIDATION_EXCEPTION",
        "fields": ["Unqualified_Reason__c"],
    }
    assert accepted[0]["success"] is True
    assert codes(flag[0]) == ["FIELD_CUSTOM_VALIDATION_EXCEPTION"]


def test_given_an_unqualified_lead_without_reason_when_any_field_is_written_then_refused() -> None:
    with running(plain=1) as sandbox:
        lead = sandbox.lead(Status="Unqualified", Unqualified_Reason__c=None)  # a rep's old data
        flagged = patch(sandbox, {"id": lead["Id"], "Leadloop_Review__c": "needs a reason"})
    assert codes(flagged[0]) == ["FIELD_CUSTOM_VALIDATION_EXCEPTION"]


def test_given_the_rule_switched_off_when_unqualifying_without_reason_then_accepted() -> None:
    with running(plain=1, quirks_off={"reason_required_rule"}) as sandbox:
        results = patch(sandbox, {"id": sandbox.lead()["Id"], "Status": "Unqualified"})
    assert results[0]["success"] is True


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (collection(*[{"id": "00QDn0000000001", "Title": "x"}] * 201), "EXCEEDED_ID_LIMIT"),
        (collection({"id": "00QDn0000000001", "Nope__c": "x"}), "INVALID_FIELD"),
        ({"allOrNone": False}, "JSON_PARSER_ERROR"),
    ],
)
def test_given_a_malformed_collection_when_patching_then_400(body: Any, code: str) -> None:
    with running(plain=1) as sandbox, pytest.raises(SalesforceMalformedRequest) as caught:
        sandbox.sf.restful(PATCH, method="PATCH", json=body)
    assert first_error(caught.value)["errorCode"] == code


def test_given_identical_values_when_patching_twice_in_one_second_then_one_shared_stamp() -> None:
    with running(plain=2) as sandbox:
        lead = sandbox.lead()
        first = patch(sandbox, {"id": lead["Id"], "Title": lead["Title"]})
        stamp_one = sandbox.emulator.record(lead["Id"])["SystemModstamp"]
        sandbox.clock.advance(milliseconds=900)
        patch(sandbox, {"id": lead["Id"], "Title": lead["Title"]})  # the same second
        row = sandbox.emulator.record(lead["Id"])
        sandbox.clock.advance(milliseconds=100)
        patch(sandbox, {"id": lead["Id"], "Title": lead["Title"]})  # the next second
        later = sandbox.emulator.record(lead["Id"])
    assert first[0]["success"] is True
    assert stamp_one == row["SystemModstamp"] == "2026-11-02T09:00:00.000+0000"
    assert row["LastModifiedDate"] == row["SystemModstamp"]
    assert later["SystemModstamp"] == "2026-11-02T09:00:01.000+0000"


def test_given_whole_seconds_off_when_patching_twice_at_one_instant_then_stamps_move_by_1ms() -> (
    None
):
    with running(plain=2, quirks_off={"whole_second_stamps"}) as sandbox:
        lead = sandbox.lead()
        patch(sandbox, {"id": lead["Id"], "Title": lead["Title"]})
        patch(sandbox, {"id": lead["Id"], "Title": lead["Title"]})  # same frozen instant
        row = sandbox.emulator.record(lead["Id"])
    assert row["SystemModstamp"] == "2026-11-02T09:00:00.001+0000"


def test_given_a_single_record_patch_when_valid_then_204_and_stored() -> None:
    with running(plain=1) as sandbox:
        lead_id = sandbox.lead()["Id"]
        status = sandbox.sf.Lead.update(lead_id, {"Leadloop_Review__c": "needs reason"})
        fetched = sandbox.sf.Lead.get(lead_id)
    assert status == 204
    assert fetched["Leadloop_Review__c"] == "needs reason"
    assert fetched["attributes"]["type"] == "Lead"


def test_given_a_deleted_lead_when_getting_or_patching_it_alone_then_404() -> None:
    with running(plain=1) as sandbox:
        lead_id = sandbox.emulator.delete(sandbox.lead()["Id"])["Id"]
        with pytest.raises(SalesforceResourceNotFound) as caught:
            sandbox.sf.Lead.update(lead_id, {"Title": "x"})
    assert first_error(caught.value)["errorCode"] == "ENTITY_IS_DELETED"


def test_given_a_human_edit_between_check_and_write_when_before_next_then_write_sees_it() -> None:
    with running(plain=1) as sandbox:
        lead_id = sandbox.lead()["Id"]
        checked = sandbox.sf.query(f"SELECT SystemModstamp FROM Lead WHERE Id = '{lead_id}'")
        sandbox.clock.advance(seconds=5)
        runs: list[str] = []

        def rep_edits(emulator: Any) -> None:
            runs.append(emulator.human_edit(lead_id, {"Title": "Edited by a rep"})["Id"])

        sandbox.emulator.before_next("composite", rep_edits)
        sandbox.clock.advance(seconds=1)
        patch(sandbox, {"id": lead_id, "Leadloop_Review__c": "flag"})
        patch(sandbox, {"id": lead_id, "Leadloop_Review__c": "flag"})  # hook ran only once
        row = sandbox.emulator.record(lead_id)
    assert row["Title"] == "Edited by a rep" and row["Leadloop_Review__c"] == "flag"
    assert row["SystemModstamp"] > checked["records"][0]["SystemModstamp"]
    assert runs == [lead_id]
