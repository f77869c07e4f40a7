"""Preconditions and windows Salesforce enforces: If-Unmodified-Since on a single PATCH, the
getDeleted/getUpdated reach, and the request URI length."""

from __future__ import annotations

from datetime import datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest
from simple_salesforce.exceptions import SalesforceGeneralError, SalesforceMalformedRequest

from tests.sandbox.salesforce_support import START, Running, first_error, running


def http_date(moment: datetime) -> str:
    return format_datetime(moment, usegmt=True)


def read_then_edit(sandbox: Running, after: timedelta) -> tuple[str, datetime]:
    """A lead we read 30 s in and a rep edits ``after`` that: (its id, when we read it)."""
    lead_id = sandbox.lead()["Id"]
    read_at = sandbox.clock.advance(seconds=30)
    sandbox.clock.advance(after)
    sandbox.emulator.human_edit(lead_id, {"Title": "Edited by a rep"})
    return lead_id, read_at


def update_if_unmodified(sandbox: Running, lead_id: str, since: datetime) -> Any:
    headers = {"If-Unmodified-Since": http_date(since)}
    return sandbox.sf.Lead.update(lead_id, {"Title": "Ours"}, headers=headers)


def test_given_a_rep_edit_after_the_date_when_patching_with_if_unmodified_since_then_412() -> None:
    with running(plain=1) as sandbox:
        lead_id, read_at = read_then_edit(sandbox, timedelta(seconds=5))
        with pytest.raises(SalesforceGeneralError) as caught:
            update_if_unmodified(sandbox, lead_id, read_at)
        row = sandbox.emulator.record(lead_id)
    assert caught.value.status == 412
    assert first_error(caught.value)["errorCode"] == "PRECONDITION_FAILED"
    assert row["Title"] == "Edited by a rep"  # the request was not processed


def test_given_no_edit_since_the_date_when_patching_with_if_unmodified_since_then_204() -> None:
    with running(plain=1) as sandbox:
        lead_id = sandbox.lead()["Id"]
        status = update_if_unmodified(sandbox, lead_id, sandbox.clock.advance(seconds=30))
    assert status == 204


def test_given_a_rep_edit_in_the_same_second_when_patching_then_the_date_cannot_see_it() -> None:
    with running(plain=1) as sandbox:
        lead_id, read_at = read_then_edit(sandbox, timedelta(milliseconds=400))
        status = update_if_unmodified(sandbox, lead_id, read_at)
    assert status == 204  # whole-second stamps: only comparing values can protect this edit


def test_given_a_header_that_is_not_an_http_date_when_patching_then_400() -> None:
    with running(plain=1) as sandbox, pytest.raises(SalesforceMalformedRequest) as caught:
        sandbox.sf.Lead.update(
            sandbox.lead()["Id"], {"Title": "x"}, headers={"If-Unmodified-Since": "yesterday"}
        )
    assert caught.value.status == 400


def test_given_the_precondition_switched_off_when_patching_after_an_edit_then_204() -> None:
    with running(plain=1, quirks_off={"if_unmodified_since"}) as sandbox:
        lead_id, read_at = read_then_edit(sandbox, timedelta(seconds=5))
        status = update_if_unmodified(sandbox, lead_id, read_at)
    assert status == 204


@pytest.mark.parametrize(
    ("kind", "days", "refused"),
    [("deleted", 16, True), ("deleted", 14, False), ("updated", 31, True), ("updated", 29, False)],
)
def test_given_a_start_far_back_when_asking_for_replication_then_refused_past_the_reach(
    kind: str, days: int, refused: bool
) -> None:
    with running(plain=1) as sandbox:
        call = getattr(sandbox.sf.Lead, kind)
        start, end = START - timedelta(days=days), START - timedelta(hours=1)
        if not refused:
            assert call(start, end)["latestDateCovered"] == "2026-11-02T08:00:00.000+0000"
            return
        with pytest.raises(SalesforceMalformedRequest) as caught:
            call(start, end)
    assert caught.value.status == 400
    assert first_error(caught.value)["errorCode"] == "INVALID_REPLICATION_DATE"


def test_given_a_window_of_a_minute_when_asking_for_deletions_then_invalid_replication_date() -> (
    None
):
    with running(plain=1) as sandbox, pytest.raises(SalesforceMalformedRequest) as caught:
        # seconds are truncated: 08:59 .. 09:00 is one minute
        sandbox.sf.Lead.deleted(START - timedelta(seconds=50), START + timedelta(seconds=20))
    assert first_error(caught.value)["errorCode"] == "INVALID_REPLICATION_DATE"


def test_given_an_end_in_the_future_when_asking_for_updates_then_covered_up_to_now_only() -> None:
    with running(plain=1) as sandbox:
        result = sandbox.sf.Lead.updated(START - timedelta(days=1), START + timedelta(days=1))
    assert result["latestDateCovered"] == "2026-11-02T09:00:00.000+0000"


def test_given_the_window_switched_off_when_asking_far_back_then_answered() -> None:
    with running(plain=1, quirks_off={"replication_window"}) as sandbox:
        result = sandbox.sf.Lead.deleted(START - timedelta(days=90), START)
    assert result["deletedRecords"] == []


def test_given_a_query_uri_over_16384_bytes_when_sent_then_414() -> None:
    ids = ", ".join(f"'00QDn{n:010d}'" for n in range(1000, 1800))
    soql = f"SELECT Id FROM Lead WHERE Id IN ({ids})"
    with running(plain=1) as sandbox:
        with pytest.raises(SalesforceGeneralError) as caught:
            sandbox.sf.query(soql)
        calls = sandbox.emulator.api_used
    assert caught.value.status == 414
    assert calls == 0  # refused before it counts as an API call


def test_given_the_uri_limit_switched_off_when_a_long_query_is_sent_then_answered() -> None:
    ids = ", ".join(f"'00QDn{n:010d}'" for n in range(1000, 1800))
    with running(plain=1, quirks_off={"uri_length_limit"}) as sandbox:
        result = sandbox.sf.query(f"SELECT Id FROM Lead WHERE Id IN ({ids})")
    assert result["totalSize"] == 0
