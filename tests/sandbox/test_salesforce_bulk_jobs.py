"""Bulk API 2.0 jobs answer at once and run their query in the background, chunk by chunk."""

from __future__ import annotations

import csv
import io
import json
import threading

import pytest

from connectors.sandbox.salesforce import SalesforceEmulator, bulk
from connectors.sandbox.salesforce.bulk import BulkJobs, Job
from connectors.sandbox.salesforce.query import Plan, compile_query
from connectors.sandbox.salesforce.soql import parse
from tests.builders import FrozenClock
from tests.sandbox.salesforce_support import START, running


def org(leads: int, clock: FrozenClock) -> SalesforceEmulator:
    emulator = SalesforceEmulator(leads=0, now=clock)
    emulator.add_leads(leads)
    return emulator


def plan_for(emulator: SalesforceEmulator, soql: str) -> Plan:
    return compile_query(parse(soql), emulator.entities)


def polled_state(jobs: BulkJobs, job: Job) -> str:
    return str(json.loads(jobs.poll(job.id).body)["state"])


def csv_rows(
    jobs: BulkJobs, job: Job, locator: str | None = None, max_records: str | None = None
) -> list[dict[str, str]]:
    body = jobs.results(job.id, job.version, locator, max_records).body.decode()
    return list(csv.DictReader(io.StringIO(body)))


def test_given_the_org_is_busy_when_a_job_is_created_then_it_answers_before_the_query_runs() -> (
    None
):
    """Given another request holding the emulator lock, when a job is created, then it is
    UploadComplete at once and stays InProgress (polled twice, past two seconds) until its
    query has run; then it completes with every matching row."""
    clock = FrozenClock(START)
    emulator = org(30, clock)
    lock = threading.RLock()
    jobs = BulkJobs(emulator.now, lock)
    with lock:  # held by this thread: the job's thread cannot process yet
        job = jobs.create(
            plan_for(emulator, "SELECT Id, Email FROM Lead"), emulator.records(), "query", "59.0"
        )
        created = job.state
        clock.advance(seconds=3)
        states = [polled_state(jobs, job), polled_state(jobs, job)]
    jobs.settle(job.id)
    assert created == "UploadComplete"
    assert states == ["InProgress", "InProgress"]
    assert polled_state(jobs, job) == "JobComplete"
    assert len(csv_rows(jobs, job)) == 30


def test_given_more_rows_than_a_chunk_when_processed_then_filtered_ordered_and_paged(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Given 7-row processing chunks, when a filtered, ordered, limited query runs over 30
    leads, then the results equal the REST query's and page by maxRecords and locator."""
    monkeypatch.setattr(bulk, "CHUNK_ROWS", 7)
    emulator = org(30, FrozenClock(START))
    soql = "SELECT Id, Email FROM Lead WHERE Email LIKE '%1%' ORDER BY Email DESC LIMIT 9"
    jobs = BulkJobs(emulator.now, threading.RLock())
    job = jobs.create(plan_for(emulator, soql), emulator.records(), "query", "59.0")
    jobs.settle(job.id)
    polled_state(jobs, job)
    assert polled_state(jobs, job) == "JobComplete"
    first = jobs.results(job.id, job.version, None, "4")
    locator = first.headers["Sforce-Locator"]
    pages = [csv_rows(jobs, job, None, "4"), csv_rows(jobs, job, locator, "4")]
    expected = plan_for(emulator, soql).run(emulator.records())
    assert [row["Email"] for row in pages[0] + pages[1]] == [r["Email"] for r in expected][:8]
    assert len(expected) == 9 and first.headers["Sforce-NumberOfRecords"] == "4"


def test_given_a_completed_job_when_a_lead_changes_then_its_results_do_not() -> None:
    """Given a completed job, when a lead is edited before the results are read, then the
    results show the values the query read (a snapshot)."""
    with running(plain=3) as sandbox:
        first = sandbox.lead()
        chunks = list(sandbox.sf.bulk2.Lead.query("SELECT Id, Title FROM Lead", wait=0))
        job_id = next(iter(sandbox.emulator.bulk.jobs))
        sandbox.emulator.human_edit(first["Id"], {"Title": "Changed later"})
        again = sandbox.emulator.bulk.results(job_id, "59.0", None, None).body.decode()
    assert "Changed later" not in again and again == chunks[0]


def test_given_a_query_that_breaks_while_running_when_polled_then_the_job_failed() -> None:
    """Given a query whose evaluation raises, when the job is polled, then it is Failed with
    an errorMessage and results are refused."""
    emulator = org(3, FrozenClock(START))
    plan = plan_for(emulator, "SELECT Id FROM Lead")

    def broken(row: object) -> bool:
        raise KeyError("no such column in row")

    plan.predicate = broken
    jobs = BulkJobs(emulator.now, threading.RLock())
    job = jobs.create(plan, emulator.records(), "query", "59.0")
    jobs.settle(job.id)
    info = json.loads(jobs.poll(job.id).body)
    assert info["state"] == "Failed" and "KeyError" in info["errorMessage"]
    assert jobs.results(job.id, job.version, None, None).status == 412


@pytest.mark.parametrize(
    ("soql", "code"),
    [
        ("SELECT Nope__c FROM Lead", "INVALID_FIELD"),
        # parent-to-child queries are not supported by Bulk API 2.0:
        # https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/queries.htm
        ("SELECT Id, (SELECT Id FROM Tasks) FROM Lead", "INVALIDJOB"),
    ],
)
def test_given_bad_soql_when_creating_a_job_then_400_at_once(soql: str, code: str) -> None:
    """Given a query Bulk 2.0 refuses, when a job is created, then 400 and no job."""
    with running(plain=2) as sandbox:
        response = sandbox.session().post(
            f"{sandbox.url}/services/data/v59.0/jobs/query",
            json={"operation": "query", "query": soql},
            headers={"Authorization": f"Bearer {sandbox.sf.session_id}"},
        )
    assert response.status_code == 400
    assert response.json()[0]["errorCode"] == code
    assert sandbox.emulator.bulk.jobs == {}
