"""Reading Leads: the SOQL we send, REST vs Bulk 2.0, schema checks, picklist options."""

from __future__ import annotations

from datetime import timedelta

import pytest

from connectors.base import Cursor, SchemaError, Window
from connectors.salesforce.bulk import PAGE_SIZE
from connectors.sandbox.salesforce.schema import NURTURE_VALUES, REASON_VALUES
from tests.connectors.contract import records_of
from tests.connectors.salesforce.harness import FIELDS, NOW, SalesforceHarness

SELECT = (
    "SELECT Id, SystemModstamp, IsDeleted, MasterRecordId, IsConverted, ConvertedDate, "
    + ", ".join(FIELDS)
    + " FROM Lead"
)


def test_given_a_window_and_cursor_when_pulling_then_exact_soql_through_query_all(
    org: SalesforceHarness,
) -> None:
    window = Window(NOW - timedelta(days=30), NOW)
    after = Cursor(NOW - timedelta(days=2, microseconds=5), "00QDn0000000001AAA")
    records_of(org.connector().pull(window, after))
    assert org.app.soql() == [
        SELECT + " WHERE SystemModstamp >= 2026-10-31T08:59:59+00:00"
        " AND SystemModstamp < 2026-11-02T09:00:00+00:00"
        " ORDER BY SystemModstamp ASC, Id ASC"
    ]
    query = next(r for r in org.app.requests if "q" in r.query)
    assert query.path == "/services/data/v59.0/queryAll/"
    assert query.headers["sforce-query-options"] == "batchSize=200"


def test_given_ids_when_pulling_by_id_then_chunked_in_lists_of_200(org: SalesforceHarness) -> None:
    ids = org.seeded_ids()[:250]
    records = records_of(org.connector().pull_ids(ids))
    assert sorted(r.record_id for r in records) == sorted(ids)
    first, second = org.app.soql()
    quoted = ",".join(f"'{i}'" for i in ids[:200])
    assert first == SELECT + f" WHERE Id IN ({quoted}) ORDER BY SystemModstamp ASC, Id ASC"
    assert second.count("'00Q") == 50


def test_given_converted_and_merged_leads_when_pulling_then_flags_are_read(
    org: SalesforceHarness,
) -> None:
    records = records_of(org.connector().pull(Window(None, org.end)))
    converted = [r for r in records if r.fields["IsConverted"]]
    merged = [r for r in records if r.merged_into]
    assert converted and all(r.fields["ConvertedDate"] for r in converted)
    assert merged and all(r.deleted for r in merged)
    assert all("attributes" not in r.fields for r in records)


def test_given_more_leads_than_the_threshold_when_pulling_all_then_bulk_matches_rest(
    org: SalesforceHarness,
) -> None:
    """Bulk CSV values are converted per describe into exactly what REST JSON carries."""
    org.app.add_leads(PAGE_SIZE)  # more than one Page of bulk results
    rest = records_of(org.connector(bulk_threshold=10**6).pull_all())
    bulk_connector = org.connector(bulk_threshold=100)
    bulk_pages = list(bulk_connector.pull_all())
    assert org.app.calls["bulk_create"] == 1
    assert all(len(p.records) <= PAGE_SIZE and p.cursor is None for p in bulk_pages)
    assert {p.total for p in bulk_pages} == {300 + PAGE_SIZE}  # the count, for progress bars
    by_id = {r.record_id: r for r in rest}
    bulk = records_of(bulk_pages)
    assert len(bulk) == len(rest) == 300 + PAGE_SIZE
    assert all(r.fields == by_id[r.record_id].fields for r in bulk)
    assert {r.record_id for r in bulk if r.deleted} == {r.record_id for r in rest if r.deleted}
    assert bulk_connector.usage.by_operation["count"] == 1


def test_given_more_leads_than_the_threshold_when_a_first_pull_reads_everything_then_one_bulk_job(
    org: SalesforceHarness,
) -> None:
    """A first sync (a window without a start) is a full read: above the threshold it costs a
    count, a job, its polls and a results call per 50,000 records instead of a query call per
    2,000; the job keeps the window's end."""
    org.app.add_leads(PAGE_SIZE)
    window = Window(None, org.end)
    rest = records_of(org.connector(bulk_threshold=10**6).pull(window))
    bulk_connector = org.connector(bulk_threshold=100)
    bulk = records_of(bulk_connector.pull(window))
    assert org.app.calls["bulk_create"] == 1
    job = next(r for r in org.app.requests if r.method == "POST" and r.path.endswith("/jobs/query"))
    assert job.json()["query"] == SELECT + f" WHERE SystemModstamp < {org.end.isoformat()}"
    by_id = {r.record_id: r for r in rest}
    assert sorted(by_id) == sorted(r.record_id for r in bulk)
    assert all(r.fields == by_id[r.record_id].fields for r in bulk)
    assert set(bulk_connector.usage.by_operation) == {
        "login",
        "count",
        "describe",
        "bulk_create",
        "bulk_poll",
        "bulk_results",
    }


def test_given_fewer_leads_than_the_threshold_when_a_first_pull_reads_everything_then_rest_pages(
    org: SalesforceHarness,
) -> None:
    pages = list(org.connector(bulk_threshold=10**6).pull(Window(None, org.end)))
    assert org.app.calls["bulk_create"] == 0
    assert all(p.cursor is not None for p in pages if p.records)


def test_given_a_rest_full_pull_then_cursors_follow_the_ascending_order(
    org: SalesforceHarness,
) -> None:
    pages = list(org.connector().pull_all())
    assert org.app.calls["bulk_create"] == 0
    assert [p.cursor for p in pages] == sorted(p.cursor for p in pages if p.cursor)


def test_given_a_mapped_field_the_org_lacks_when_checking_then_schema_error_names_it(
    org: SalesforceHarness,
) -> None:
    connector = org.connector(fields=[*FIELDS, "Disqualified_Reason__c"])
    with pytest.raises(SchemaError, match=r"Lead has no field\(s\) Disqualified_Reason__c"):
        connector.check()


def test_given_picklists_when_asking_options_then_restricted_values_only(
    org: SalesforceHarness,
) -> None:
    connector = org.connector()
    assert connector.field_options("Nurture_Reason__c") == frozenset(REASON_VALUES)
    assert set(NURTURE_VALUES) <= (connector.field_options("Unqualified_Reason__c") or set())
    assert connector.field_options("LeadSource") is None  # unrestricted picklist
    assert connector.field_options("Email") is None
    with pytest.raises(SchemaError, match="Lead has no field Nope__c"):
        connector.field_options("Nope__c")
    assert org.app.calls["describe"] == 1
