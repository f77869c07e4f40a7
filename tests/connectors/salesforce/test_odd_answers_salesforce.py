"""Answers without their documented shape are retried, never read as "nothing more"."""

from __future__ import annotations

from datetime import timedelta

import pytest

from connectors.base import Correction, OutcomeStatus, Page, TransientError, Window
from tests.connectors.contract import records_of, writable_ids
from tests.connectors.salesforce.harness import SalesforceHarness


@pytest.mark.parametrize(
    ("op", "kind"),
    [
        ("query", "missing:records"),
        ("query", "missing:done"),
        ("query", "missing:totalSize"),
        ("query", "missing:nextRecordsUrl"),
        ("query_more", "empty"),
        ("query_more", "missing:records"),
    ],
)
def test_given_an_odd_query_page_when_pulling_then_retried_and_every_lead_read(
    org: SalesforceHarness, op: str, kind: str
) -> None:
    org.app.faults.script(op, kind)
    # a window with a start: its first query is the page (a first sync's is the COUNT())
    records = records_of(org.connector().pull(Window(org.end - timedelta(days=3650), org.end)))
    assert sorted(r.record_id for r in records) == sorted(org.seeded_ids())
    assert len(org.sleeps.waits) == 1


def test_given_a_page_without_done_past_the_attempts_then_error_after_page_one(
    org: SalesforceHarness,
) -> None:
    org.app.faults.script("query_more", "missing:done", times=4)
    pages: list[Page] = []
    with pytest.raises(TransientError, match=r"query_more failed: answer lacks .*'done'"):
        pages.extend(org.connector().pull(Window(None, org.end)))
    assert [len(p.records) for p in pages] == [org.page_size]
    assert pages[0].cursor is not None
    assert pages[0].cursor.record_id == pages[0].records[-1].record_id


@pytest.mark.parametrize(
    ("op", "kind"),
    [
        ("query", "empty"),  # the conflict check's re-read
        ("query", "html"),
        ("query", "missing:records"),
        ("composite", "empty"),  # the Collections PATCH itself
        ("composite", "html"),
        ("composite", "truncated"),  # served, then cut: the values did land
    ],
)
def test_given_an_odd_answer_while_writing_when_retried_then_sent_and_the_values_land(
    org: SalesforceHarness, op: str, kind: str
) -> None:
    ids = writable_ids(org, 3)
    org.app.faults.script(op, kind)
    outcomes = org.connector().write(
        [Correction(i, i, {"Reason_Detail__c": "fixed"}, org.modstamp(i)) for i in ids]
    )
    assert [o.status for o in outcomes] == [OutcomeStatus.SENT] * 3
    assert all(org.raw(i)["Reason_Detail__c"] == "fixed" for i in ids)


@pytest.mark.parametrize(("op", "kind"), [("describe", "missing:fields"), ("login", "html")])
def test_given_an_odd_describe_or_login_answer_when_checking_then_retried(
    org: SalesforceHarness, op: str, kind: str
) -> None:
    org.app.faults.script(op, kind)
    org.connector().check()
    assert org.app.calls[op] == 2


@pytest.mark.parametrize(
    ("op", "kind"),
    [
        ("bulk_create", "html"),
        ("bulk_create", "missing:id"),
        ("bulk_poll", "missing:state"),
        ("bulk_results", "empty"),
        ("bulk_results", "truncated"),
        ("bulk_results", "html"),
    ],
)
def test_given_an_odd_bulk_answer_when_resyncing_everything_then_retried_and_all_read(
    org: SalesforceHarness, op: str, kind: str
) -> None:
    org.app.faults.script(op, kind)
    records = records_of(org.connector(bulk_threshold=10).pull_all())
    assert sorted(r.record_id for r in records) == sorted(org.seeded_ids())
    assert org.app.calls[op] >= 2
