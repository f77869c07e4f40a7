"""Tasks for a lead's owner (a flag channel): create, find by lead and status, close."""

from __future__ import annotations

from typing import Any

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest, SalesforceResourceNotFound

from connectors.sandbox.salesforce.auth import USER_ID
from connectors.sandbox.salesforce.schema import QUEUE
from tests.sandbox.salesforce_support import Running, first_error, running

COLLECTIONS = "composite/sobjects"
OPEN_TASKS = (
    "SELECT Id, WhoId, OwnerId, Subject, Status, IsClosed FROM Task "
    "WHERE WhoId IN ({ids}) AND Status != 'Completed'"
)


def task(who: str, **fields: Any) -> dict[str, Any]:
    return {"attributes": {"type": "Task"}, "WhoId": who, "Subject": "Reason missing", **fields}


def leads(sandbox: Running, count: int) -> list[str]:
    return [row["Id"] for row in sandbox.emulator.records()[:count]]


def open_tasks(sandbox: Running, *who: str) -> list[dict[str, Any]]:
    ids = ", ".join(f"'{lead_id}'" for lead_id in who)
    return list(sandbox.sf.query_all(OPEN_TASKS.format(ids=ids))["records"])


def test_given_a_lead_when_creating_a_task_then_201_and_defaults_filled() -> None:
    with running(plain=1) as sandbox:
        lead_id = leads(sandbox, 1)[0]
        sandbox.clock.advance(milliseconds=300)
        created = sandbox.sf.Task.create(
            {"WhoId": lead_id, "Subject": "Reason missing", "ActivityDate": "2026-11-09"}
        )
        stored = sandbox.sf.Task.get(created["id"])
        raw = sandbox.session().post(
            f"{sandbox.url}/services/data/v59.0/sobjects/Task/",
            json={"WhoId": lead_id},
            headers={"Authorization": f"Bearer {sandbox.sf.session_id}"},
        )
    assert raw.status_code == 201
    assert created == {"id": created["id"], "success": True, "errors": []}
    assert created["id"].startswith("00T")
    assert (stored["Status"], stored["Priority"], stored["IsClosed"]) == (
        "Not Started",
        "Normal",
        False,
    )
    assert stored["OwnerId"] == stored["CreatedById"] == stored["LastModifiedById"] == USER_ID
    assert stored["CreatedDate"] == stored["SystemModstamp"] == "2026-11-02T09:00:00.000+0000"


def test_given_leads_when_creating_tasks_in_one_collection_then_ids_in_request_order() -> None:
    with running(plain=3) as sandbox:
        first, second, third = leads(sandbox, 3)
        body = {"allOrNone": False, "records": [task(first), task(second), task(third)]}
        results = sandbox.sf.restful(COLLECTIONS, method="POST", json=body)
        found = open_tasks(sandbox, first, second, third)
    assert [r["success"] for r in results] == [True, True, True]
    assert {r["WhoId"]: r["Id"] for r in found} == {
        lead: result["id"] for lead, result in zip((first, second, third), results, strict=True)
    }


def test_given_open_tasks_when_closing_one_by_collections_patch_then_it_leaves_the_open_ones() -> (
    None
):
    with running(plain=2) as sandbox:
        first, second = leads(sandbox, 2)
        body = {"records": [task(first), task(second)]}
        created = sandbox.sf.restful(COLLECTIONS, method="POST", json=body)
        closing = {"attributes": {"type": "Task"}, "id": created[0]["id"], "Status": "Completed"}
        closed = sandbox.sf.restful(
            COLLECTIONS, method="PATCH", json={"allOrNone": False, "records": [closing]}
        )
        still_open = open_tasks(sandbox, first, second)
        done = sandbox.sf.query(f"SELECT IsClosed FROM Task WHERE Id = '{created[0]['id']}'")
    assert closed == [{"id": created[0]["id"], "success": True, "errors": []}]
    assert [r["WhoId"] for r in still_open] == [second]
    assert done["records"][0]["IsClosed"] is True


def test_given_a_lead_and_a_task_when_patching_both_in_one_collection_then_both_saved() -> None:
    with running(plain=1) as sandbox:
        lead_id = leads(sandbox, 1)[0]
        task_id = sandbox.sf.Task.create({"WhoId": lead_id})["id"]
        records = [
            {"attributes": {"type": "Lead"}, "id": lead_id, "Title": "CTO"},
            {"attributes": {"type": "Task"}, "id": task_id, "Priority": "High"},
        ]
        results = sandbox.sf.restful(COLLECTIONS, method="PATCH", json={"records": records})
    assert [r["success"] for r in results] == [True, True]


@pytest.mark.parametrize(
    ("record", "code"),
    [
        (task("00QDn000000zzzzMAA"), "INVALID_CROSS_REFERENCE_KEY"),
        (task("001Dn0000000001AAA"), "MALFORMED_ID"),
        ({**task("{lead}"), "Id": "00TDn0000000001AAA"}, "INVALID_FIELD"),
        (task("{lead}", Status=None), "REQUIRED_FIELD_MISSING"),
        (task("{lead}", IsClosed=True), "INVALID_FIELD_FOR_INSERT_UPDATE"),
        (task("{lead}", ActivityDate="next week"), "INVALID_TYPE_ON_FIELD_IN_RECORD"),
        (task("{lead}", Subject="x" * 256), "STRING_TOO_LONG"),
        (task("{lead}", OwnerId=QUEUE), "MALFORMED_ID"),  # a queue cannot own a task
    ],
)
def test_given_a_bad_task_when_creating_in_a_collection_then_that_record_fails_with_its_code(
    record: dict[str, Any], code: str
) -> None:
    with running(plain=1) as sandbox:
        lead_id = leads(sandbox, 1)[0]
        record = {k: v.format(lead=lead_id) if isinstance(v, str) else v for k, v in record.items()}
        body = {"records": [task(lead_id), record]}
        results = sandbox.sf.restful(COLLECTIONS, method="POST", json=body)
        created = sandbox.emulator.task_records()
    assert results[0]["success"] is True
    assert results[1]["success"] is False and results[1]["errors"][0]["statusCode"] == code
    assert len(created) == 1


def test_given_all_or_none_when_one_task_is_bad_then_none_is_created() -> None:
    with running(plain=1) as sandbox:
        lead_id = leads(sandbox, 1)[0]
        body = {"allOrNone": True, "records": [task(lead_id), task(lead_id, Priority=None)]}
        results = sandbox.sf.restful(COLLECTIONS, method="POST", json=body)
        created = sandbox.emulator.task_records()
    assert results[0]["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    assert created == []


def test_given_a_bad_single_task_when_creating_then_400_with_the_error() -> None:
    with running(plain=1) as sandbox, pytest.raises(SalesforceMalformedRequest) as caught:
        sandbox.sf.Task.create({"WhoId": "00QDn000000zzzzMAA"})
    assert first_error(caught.value)["errorCode"] == "INVALID_CROSS_REFERENCE_KEY"


def test_given_more_than_200_tasks_when_creating_in_one_collection_then_400() -> None:
    with running(plain=1) as sandbox, pytest.raises(SalesforceMalformedRequest) as caught:
        lead_id = leads(sandbox, 1)[0]
        sandbox.sf.restful(COLLECTIONS, method="POST", json={"records": [task(lead_id)] * 201})
    assert first_error(caught.value)["errorCode"] == "EXCEEDED_ID_LIMIT"


def test_given_the_org_when_describing_task_then_the_fields_a_flag_channel_needs() -> None:
    with running() as sandbox:
        describe = sandbox.sf.Task.describe()
    fields = {field["name"]: field for field in describe["fields"]}
    assert describe["keyPrefix"] == "00T"
    assert {
        "Id",
        "WhoId",
        "OwnerId",
        "Subject",
        "Description",
        "Status",
        "Priority",
        "ActivityDate",
        "IsClosed",
        "CreatedDate",
        "SystemModstamp",
        "LastModifiedById",
    } <= set(fields)
    assert fields["WhoId"]["referenceTo"] == ["Contact", "Lead"]
    assert fields["IsClosed"]["updateable"] is False
    assert {v["value"] for v in fields["Status"]["picklistValues"]} >= {"Not Started", "Completed"}
    assert fields["Subject"]["type"] == "combobox"


def test_given_a_seeded_org_when_reading_tasks_then_reps_have_their_own_follow_ups() -> None:
    with running(leads=100) as sandbox:
        rows = sandbox.sf.query_all("SELECT Id, WhoId, Subject, IsClosed FROM Task")["records"]
    assert rows and {row["Subject"] for row in rows} == {"Follow-up call"}
    assert {row["IsClosed"] for row in rows} == {True, False}


def test_given_an_unknown_task_id_when_getting_it_then_404() -> None:
    with running() as sandbox, pytest.raises(SalesforceResourceNotFound):
        sandbox.sf.Task.get("00TDn000000zzzzMAA")
