"""Bulk API 2.0 query jobs and getDeleted/getUpdated, through simple-salesforce."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from tests.sandbox.salesforce_support import START, Running, running


def rows_of(chunks: list[str]) -> list[dict[str, str]]:
    return [row for chunk in chunks for row in csv.DictReader(io.StringIO(chunk))]


def test_given_leads_when_bulk2_query_then_csv_chunks_with_every_live_lead() -> None:
    with running(plain=25) as sandbox:
        sandbox.emulator.delete(sandbox.lead()["Id"])
        chunks = list(
            sandbox.sf.bulk2.Lead.query(
                "SELECT Id, Email, Lead_Score__c, IsDeleted, SystemModstamp FROM Lead",
                max_records=10,
                wait=0,
            )
        )
        polls = sandbox.emulator.calls["bulk_poll"]
    rows = rows_of(chunks)
    assert len(chunks) == 3 and len(rows) == 24
    assert chunks[0].startswith('"Id","Email","Lead_Score__c","IsDeleted","SystemModstamp"\n"00Q')
    assert rows[0]["IsDeleted"] == "false"
    assert rows[0]["SystemModstamp"].endswith(".000Z")
    assert polls == 2  # UploadComplete -> InProgress -> JobComplete


def test_given_a_deleted_lead_when_bulk2_query_all_then_it_is_included() -> None:
    with running(plain=3) as sandbox:
        gone = sandbox.emulator.delete(sandbox.lead()["Id"])["Id"]
        rows = rows_of(
            list(sandbox.sf.bulk2.Lead.query_all("SELECT Id, IsDeleted FROM Lead", wait=0))
        )
    assert {row["Id"]: row["IsDeleted"] for row in rows}[gone] == "true"
    assert len(rows) == 3


def bulk_get(sandbox: Running, path: str) -> tuple[int, dict[str, str], str]:
    url = f"{sandbox.url}/services/data/v59.0/jobs/query/{path}"
    response = sandbox.session().get(
        url, headers={"Authorization": f"Bearer {sandbox.sf.session_id}"}
    )
    return response.status_code, dict(response.headers), response.text


def test_given_a_new_job_when_fetching_results_early_then_412_until_complete() -> None:
    with running(plain=3) as sandbox:
        job = sandbox.sf.bulk2.Lead._client.create_job("query", "SELECT Id FROM Lead")
        early, _, body = bulk_get(sandbox, f"{job['id']}/results")
        assert job["state"] == "UploadComplete"
        sandbox.clock.advance(seconds=3)  # jobs complete after two polls or two seconds
        _, _, info = bulk_get(sandbox, job["id"])
        status, headers, text = bulk_get(sandbox, f"{job['id']}/results?maxRecords=2")
        _, last, _ = bulk_get(
            sandbox, f"{job['id']}/results?maxRecords=2&locator={headers['Sforce-Locator']}"
        )
    assert early == 412 and "JOB_NOT_COMPLETE" in body
    assert '"state":"JobComplete"' in info
    assert status == 200 and headers["Sforce-NumberOfRecords"] == "2"
    assert headers["Sforce-Locator"] != "null"
    assert last["Sforce-NumberOfRecords"] == "1" and last["Sforce-Locator"] == "null"
    assert text.count("\n") == 3


def test_given_deletes_and_edits_when_get_deleted_and_get_updated_then_ids_in_the_window() -> None:
    with running(plain=4) as sandbox:
        first, second, third, _ = (row["Id"] for row in sandbox.emulator.records())
        sandbox.clock.advance(minutes=10)
        sandbox.emulator.delete(first)
        sandbox.emulator.merge(second, third)
        sandbox.emulator.human_edit(second, {"Title": "Survivor"})
        sandbox.clock.advance(minutes=10)  # the window is read once it has passed
        start, end = START + timedelta(minutes=5), START + timedelta(minutes=15, seconds=30)
        deleted = sandbox.sf.Lead.deleted(start, end)
        updated = sandbox.sf.Lead.updated(start, end)
        before = sandbox.sf.Lead.deleted(START - timedelta(days=1), start)
    assert {r["id"] for r in deleted["deletedRecords"]} == {first, third}
    assert deleted["deletedRecords"][0]["deletedDate"] == "2026-11-02T09:10:00.000+0000"
    assert deleted["latestDateCovered"] == "2026-11-02T09:15:00.000+0000"
    assert updated["ids"] == [second]
    assert before["deletedRecords"] == []


def test_given_a_merge_when_query_all_then_the_loser_points_at_the_master() -> None:
    with running(plain=2) as sandbox:
        master, loser = (row["Id"] for row in sandbox.emulator.records())
        sandbox.emulator.merge(master, loser)
        merged = sandbox.sf.query_all(
            "SELECT Id, MasterRecordId FROM Lead WHERE IsDeleted = true AND MasterRecordId != null",
            include_deleted=True,
        )["records"]
    assert [(r["Id"], r["MasterRecordId"]) for r in merged] == [(loser, master)]


def test_given_a_naive_window_when_asking_for_updates_then_400() -> None:
    with running() as sandbox:
        url = (
            f"{sandbox.url}/services/data/v59.0/sobjects/Lead/updated/"
            "?start=2026-01-01T00%3A00%3A00%3A&end=2026-01-02T00%3A00%3A00%2B00%3A00"
        )
        response = sandbox.session().get(
            url, headers={"Authorization": f"Bearer {sandbox.sf.session_id}"}
        )
    assert response.status_code == 400
    assert response.json()[0]["errorCode"] == "INVALID_REPLICATION_DATE"
