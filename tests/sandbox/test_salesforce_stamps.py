"""Whole-second stamps, who made the last change, and the fields a real Lead has (or lacks)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest

from connectors.sandbox.salesforce.auth import USER_ID
from connectors.sandbox.salesforce.schema import AUTOMATION_USER, REP_USER
from tests.sandbox.salesforce_support import Running, collection, first_error, running

STAMPS = "SELECT Id, CreatedDate, LastModifiedDate, SystemModstamp, LastModifiedById FROM Lead"


def write(sandbox: Running, *records: dict[str, Any]) -> Any:
    return sandbox.sf.restful("composite/sobjects", method="PATCH", json=collection(*records))


def test_given_a_clock_inside_a_second_when_writing_then_stamps_end_in_000() -> None:
    with running(plain=3) as sandbox:
        sandbox.clock.advance(seconds=5, milliseconds=734)
        ids = [row["Id"] for row in sandbox.emulator.records()]
        write(sandbox, *({"id": lead_id, "Title": "CTO"} for lead_id in ids))
        rows = sandbox.sf.query_all(STAMPS)["records"]
    assert {row["SystemModstamp"] for row in rows} == {"2026-11-02T09:00:05.000+0000"}
    assert {row["LastModifiedDate"] for row in rows} == {"2026-11-02T09:00:05.000+0000"}
    assert all(re.fullmatch(r".*T\d\d:\d\d:\d\d\.000\+0000", row["CreatedDate"]) for row in rows)


def test_given_a_write_and_a_rep_edit_in_one_second_when_read_then_the_stamps_cannot_tell() -> None:
    with running(plain=1) as sandbox:
        lead_id = sandbox.lead()["Id"]
        sandbox.clock.advance(milliseconds=200)
        write(sandbox, {"id": lead_id, "Leadloop_Review__c": "flag"})
        ours = sandbox.emulator.record(lead_id)
        sandbox.clock.advance(milliseconds=500)
        theirs = sandbox.emulator.human_edit(lead_id, {"Title": "Edited by a rep"})
    assert ours["SystemModstamp"] == theirs["SystemModstamp"]
    assert (ours["LastModifiedById"], theirs["LastModifiedById"]) == (USER_ID, REP_USER)


def test_given_whole_seconds_off_when_writing_inside_a_second_then_milliseconds_show() -> None:
    with running(plain=1, quirks_off={"whole_second_stamps"}) as sandbox:
        sandbox.clock.advance(milliseconds=734)
        write(sandbox, {"id": sandbox.lead()["Id"], "Title": "CTO"})
        row = sandbox.sf.query(STAMPS)["records"][0]
    assert row["SystemModstamp"] == "2026-11-02T09:00:00.734+0000"


@pytest.mark.parametrize(
    ("where", "found"),
    [
        ("SystemModstamp >= 2026-11-02T09:00:05.900Z", True),
        ("SystemModstamp > 2026-11-02T09:00:04.900Z", True),
        ("SystemModstamp < 2026-11-02T09:00:05.500Z", False),
        ("SystemModstamp = 2026-11-02T09:00:05.999Z", True),
    ],
)
def test_given_a_literal_with_milliseconds_when_filtering_then_compared_to_the_second(
    where: str, found: bool
) -> None:
    with running(plain=1) as sandbox:
        sandbox.clock.advance(seconds=5)
        write(sandbox, {"id": sandbox.lead()["Id"], "Title": "CTO"})
        rows = sandbox.sf.query(f"SELECT Id FROM Lead WHERE {where}")["records"]
    assert bool(rows) is found


def test_given_edits_by_three_kinds_of_user_when_queried_then_last_modified_by_differs() -> None:
    with running(plain=3) as sandbox:
        api, rep, automation = (row["Id"] for row in sandbox.emulator.records())
        write(sandbox, {"id": api, "Title": "CTO"})
        sandbox.emulator.human_edit(rep, {"Title": "CEO"})
        sandbox.emulator.automation_edit(automation, {"Lead_Score__c": 80.0})
        rows = sandbox.sf.query_all(f"{STAMPS} ORDER BY Id")["records"]
    assert [row["LastModifiedById"] for row in rows] == [USER_ID, REP_USER, AUTOMATION_USER]


def test_given_a_lead_when_selecting_owner_name_and_name_fields_then_salesforce_shapes() -> None:
    with running(plain=1) as sandbox:
        lead = sandbox.lead(Salutation="Dr.", Website="https://acme.example.com", FirstName="Ada")
        record = sandbox.sf.query(
            "SELECT Id, Name, Salutation, Website, Owner.Name, LastModifiedBy.Name FROM Lead"
        )["records"][0]
    assert record["Name"] == f"Ada {lead['LastName']}"
    assert (record["Salutation"], record["Website"]) == ("Dr.", "https://acme.example.com")
    assert record["Owner"] == {
        "attributes": {"type": "Name", "url": f"/services/data/v59.0/sobjects/User/{USER_ID}"},
        "Name": "Leadloop Integration",
    }
    assert record["LastModifiedBy"]["attributes"]["type"] == "User"
    assert record["LastModifiedBy"]["Name"] == "Priya Patel"


def test_given_a_queue_owner_when_selecting_owner_name_then_the_queue_name() -> None:
    with running(leads=5) as sandbox:
        rows = sandbox.sf.query_all("SELECT Id, OwnerId, Owner.Name FROM Lead")["records"]
    queue = next(row for row in rows if row["OwnerId"].startswith("00G"))
    assert queue["Owner"]["Name"] == "Inbound Leads Queue"
    assert queue["Owner"]["attributes"]["url"].endswith(f"/sobjects/Group/{queue['OwnerId']}")


def test_given_owner_name_when_a_bulk_query_selects_it_then_a_dotted_csv_column() -> None:
    with running(plain=2) as sandbox:
        chunks = list(sandbox.sf.bulk2.Lead.query("SELECT Id, Owner.Name FROM Lead", wait=0))
    header, *rows = chunks[0].splitlines()
    assert header == '"Id","Owner.Name"'
    assert all(row.endswith('"Leadloop Integration"') for row in rows) and len(rows) == 2


def test_given_the_default_org_when_naming_status_changed_at_then_400_invalid_field() -> None:
    with running(plain=1) as sandbox:
        with pytest.raises(SalesforceMalformedRequest) as queried:
            sandbox.sf.query("SELECT Id, Status_Changed_At__c FROM Lead")
        with pytest.raises(SalesforceMalformedRequest) as written:
            write(sandbox, {"id": sandbox.lead()["Id"], "Status_Changed_At__c": None})
        with pytest.raises(ValueError, match="Status_Changed_At__c"):
            sandbox.emulator.human_edit(sandbox.lead()["Id"], {"Status_Changed_At__c": None})
        row = sandbox.lead()
    assert first_error(queried.value)["errorCode"] == "INVALID_FIELD"
    assert "No such column 'Status_Changed_At__c'" in first_error(queried.value)["message"]
    assert first_error(written.value)["errorCode"] == "INVALID_FIELD"
    assert "Status_Changed_At__c" not in row


def test_given_the_field_switched_on_when_seeded_then_every_lead_has_a_status_change_date() -> None:
    with running(leads=300, quirks_off={"no_status_changed_field"}) as sandbox:
        rows = sandbox.sf.query_all("SELECT Id, Status_Changed_At__c FROM Lead")["records"]
        described = {f["name"] for f in sandbox.sf.Lead.describe()["fields"]}
    assert rows and all(row["Status_Changed_At__c"] for row in rows)
    assert "Status_Changed_At__c" in described
