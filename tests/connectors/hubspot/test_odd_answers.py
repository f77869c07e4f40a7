"""Answers without their documented shape are retried, never read as "nothing more"."""

from __future__ import annotations

import pytest

from connectors.base import OutcomeStatus, Page, TransientError
from tests.connectors.contract import records_of
from tests.connectors.hubspot.support import EVERYTHING, sandbox


@pytest.mark.parametrize("kind", ["empty", "missing:results", "missing:total", "missing:paging"])
def test_given_an_odd_search_page_when_pulling_then_retried_and_every_contact_read(
    kind: str,
) -> None:
    with sandbox(contacts=450) as box:
        box.emulator.faults.script("search", "http503")
        box.emulator.faults.script("search", kind)  # then the retried first page is odd
        records = records_of(box.connector().pull(EVERYTHING))
        assert {r.record_id for r in records} >= set(box.live_ids())
        assert box.calls("search") == 3 + 2  # 3 pages, plus 2 retries


def test_given_an_empty_second_search_page_past_the_attempts_then_error_after_page_one() -> None:
    with sandbox(contacts=450) as box:
        box.emulator.faults.script("search", "slow")  # page one answers as usual
        box.emulator.faults.script("search", "empty", times=4)
        pages: list[Page] = []
        with pytest.raises(TransientError, match="search failed: HTTP 200 with an empty body"):
            pages.extend(box.connector().pull(EVERYTHING))
        assert len(pages) == 1  # page one, then the error: nothing read as "the end"
        last = pages[0].records[-1]
        assert pages[0].cursor is not None
        assert (pages[0].cursor.modstamp, pages[0].cursor.record_id) == (
            last.modstamp,
            last.record_id,
        )


@pytest.mark.parametrize("kind", ["empty", "html", "missing:results"])
def test_given_an_odd_archived_listing_when_pulling_then_retried_and_deletions_seen(
    kind: str,
) -> None:
    with sandbox(contacts=300) as box:
        archived = {str(r.id) for r in box.emulator.contacts.records.values() if r.archived}
        box.emulator.faults.script("contacts_list", kind)
        records = records_of(box.connector().pull(EVERYTHING))
        assert archived and {r.record_id for r in records if r.deleted} >= archived


@pytest.mark.parametrize("kind", ["empty", "truncated", "missing:results", "missing:status"])
def test_given_an_odd_pre_write_batch_read_when_writing_then_retried_and_sent(kind: str) -> None:
    with sandbox() as box:
        ids = box.emulator.add_contacts(3)
        box.emulator.faults.script("batch_read", kind)
        outcomes = box.connector().write(
            [box.correction(i, {"reason_detail": "fixed"}) for i in ids]
        )
        assert [o.status for o in outcomes] == [OutcomeStatus.SENT] * 3
        assert all(box.emulator.contact(i)["properties"]["reason_detail"] == "fixed" for i in ids)


def test_given_odd_property_definitions_when_checking_then_retried() -> None:
    with sandbox() as box:
        box.emulator.faults.script("properties_read", "missing:results")
        box.connector().check()
        assert box.calls("properties_read") == 2
