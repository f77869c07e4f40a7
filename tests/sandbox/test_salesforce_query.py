"""REST query paging of the Salesforce emulator, read by the real simple-salesforce client."""

from __future__ import annotations

import re

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest

from tests.sandbox.salesforce_support import first_error, running

IDS = "SELECT Id FROM Lead"


def test_given_4500_leads_when_querying_then_pages_of_2000_follow_locators() -> None:
    with running(plain=4500) as sandbox:
        first = sandbox.sf.query(IDS)
        second = sandbox.sf.query_more(first["nextRecordsUrl"], identifier_is_url=True)
        third = sandbox.sf.query_more(second["nextRecordsUrl"], identifier_is_url=True)
    assert re.fullmatch(r"/services/data/v59\.0/query/01g\w{12}-2000", first["nextRecordsUrl"])
    assert second["nextRecordsUrl"].endswith("-4000")
    assert [len(page["records"]) for page in (first, second, third)] == [2000, 2000, 500]
    assert [page["done"] for page in (first, second, third)] == [False, False, True]
    assert "nextRecordsUrl" not in third
    assert {page["totalSize"] for page in (first, second, third)} == {4500}
    ids = [r["Id"] for page in (first, second, third) for r in page["records"]]
    assert len(set(ids)) == 4500


@pytest.mark.parametrize(("asked", "page"), [(500, 500), (50, 200), (5000, 2000)])
def test_given_a_batch_size_header_when_querying_then_pages_have_that_size_within_200_2000(
    asked: int, page: int
) -> None:
    with running(plain=2100) as sandbox:
        headers = {"Sforce-Query-Options": f"batchSize={asked}"}
        first = sandbox.sf.query(IDS, headers=headers)
        records = list(sandbox.sf.query_all_iter(IDS, headers=headers))
    assert len(first["records"]) == page
    assert len(records) == 2100
    assert sandbox.emulator.calls["query_more"] == -(-2100 // page) - 1


def test_given_a_deleted_lead_when_query_and_query_all_then_only_query_all_returns_it() -> None:
    with running(plain=3) as sandbox:
        gone = sandbox.emulator.delete(sandbox.lead()["Id"])
        live = sandbox.sf.query_all("SELECT Id, IsDeleted FROM Lead")["records"]
        every = sandbox.sf.query_all("SELECT Id, IsDeleted FROM Lead", include_deleted=True)
    assert gone["Id"] not in {r["Id"] for r in live}
    assert {(r["Id"], r["IsDeleted"]) for r in every["records"]} >= {(gone["Id"], True)}
    assert every["totalSize"] == 3


def test_given_a_lead_when_querying_then_records_carry_attributes_and_wire_formats() -> None:
    with running(plain=1) as sandbox:
        lead = sandbox.emulator.convert(sandbox.lead()["Id"])
        record = sandbox.sf.query(
            "SELECT Id, CreatedDate, ConvertedDate, Lead_Score__c, IsConverted FROM Lead"
        )["records"][0]
    assert record["attributes"] == {
        "type": "Lead",
        "url": f"/services/data/v59.0/sobjects/Lead/{lead['Id']}",
    }
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000\+0000", record["CreatedDate"])
    assert record["ConvertedDate"] == "2026-11-02"
    assert record["IsConverted"] is True
    assert isinstance(record["Lead_Score__c"], float)


def test_given_the_org_when_querying_lead_status_then_the_picklist_with_converted_flags() -> None:
    with running() as sandbox:
        rows = sandbox.sf.query_all(
            "SELECT ApiName, MasterLabel, IsConverted, IsDefault, "
            "SortOrder FROM LeadStatus ORDER BY SortOrder"
        )["records"]
    assert [(r["ApiName"], r["IsConverted"], r["IsDefault"]) for r in rows] == [
        ("Open - Not Contacted", False, True),
        ("Working - Contacted", False, False),
        ("Nurture", False, False),
        ("Unqualified", False, False),
        ("Closed - Converted", True, False),
        ("Closed - Not Converted", False, False),
    ]


def test_given_leads_when_counting_then_total_size_without_records() -> None:
    with running(plain=7) as sandbox:
        result = sandbox.sf.query("SELECT COUNT() FROM Lead WHERE Status = 'Working - Contacted'")
    assert result == {"totalSize": 4, "done": True, "records": []}


def test_given_an_unknown_locator_when_querying_more_then_invalid_query_locator() -> None:
    with running() as sandbox, pytest.raises(SalesforceMalformedRequest) as caught:
        sandbox.sf.query_more("01gDn0000000001-2000")
    assert first_error(caught.value)["errorCode"] == "INVALID_QUERY_LOCATOR"


def test_given_a_query_without_trailing_slash_when_sent_raw_then_same_answer() -> None:
    with running(plain=2) as sandbox:
        headers = {"Authorization": f"Bearer {sandbox.sf.session_id}"}
        response = sandbox.session().get(
            f"{sandbox.url}/services/data/v59.0/query", params={"q": IDS}, headers=headers
        )
    assert response.status_code == 200
    assert response.json()["totalSize"] == 2
    assert re.fullmatch(r"api-usage=\d+/100000", response.headers["Sforce-Limit-Info"])


def test_given_the_org_when_listing_versions_and_resources_then_the_served_api_is_named() -> None:
    with running(api_version="59.0") as sandbox:
        listed = sandbox.session().get(f"{sandbox.url}/services/data").json()
        resources = sandbox.sf.restful("")
        with pytest.raises(Exception, match="404"):
            sandbox.session().get(f"{sandbox.url}/services/data/v60.0/limits").raise_for_status()
    assert listed[-1] == {"label": "Winter '24", "url": "/services/data/v59.0", "version": "59.0"}
    assert resources["query"] == "/services/data/v59.0/query"


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("Id IN ('{a}', '{b}', '00Q000000000zzzAAA')", ["a", "b"]),
        ("Id = '{a15}'", ["a"]),
        ("Id IN ('{b}', '{a}', '{c}') AND Status = 'Nurture'", ["a", "c"]),
        ("Id = '{c}' OR Id = '{a}'", ["a", "c"]),
        ("Id = '{b}' OR Status = 'Nurture'", ["a", "b", "c", "e"]),
        ("NOT Id IN ('{a}', '{b}', '{c}', '{e}')", ["f"]),
        ("Id IN ('{a}', '{d}')", ["a"]),
    ],
)
def test_given_an_id_filter_when_querying_then_the_matching_leads_in_creation_order(
    where: str, expected: list[str]
) -> None:
    with running(plain=6) as sandbox:
        ids = dict(zip("abcdef", (row["Id"] for row in sandbox.emulator.records()), strict=True))
        for name in "ace":
            sandbox.emulator.human_edit(ids[name], {"Status": "Nurture"})
        for name in "bf":
            sandbox.emulator.human_edit(ids[name], {"Status": "Working - Contacted"})
        sandbox.emulator.delete(ids["d"])
        soql = f"SELECT Id FROM Lead WHERE {where.format(**ids, a15=ids['a'][:15])}"
        found = [r["Id"] for r in sandbox.sf.query_all(soql)["records"]]
    assert found == [ids[name] for name in expected]


def test_given_a_deleted_lead_when_query_all_filters_by_its_id_then_it_is_returned() -> None:
    with running(plain=3) as sandbox:
        gone = sandbox.emulator.delete(sandbox.lead()["Id"])["Id"]
        soql = f"SELECT Id, IsDeleted FROM Lead WHERE Id IN ('{gone}')"
        live = sandbox.sf.query_all(soql)["records"]
        every = sandbox.sf.query_all(soql, include_deleted=True)["records"]
    assert live == [] and [(r["Id"], r["IsDeleted"]) for r in every] == [(gone, True)]
