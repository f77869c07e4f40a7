"""Pulling: the cursor never passes the window end nor an error; errors raised while the next
page is prefetched reach the caller, and nothing after them is stored."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from connectors.base import (
    Cursor,
    Deletions,
    FatalError,
    LimitExhausted,
    Page,
    TransientError,
    Window,
)
from sync.store.states import RunState
from tests.fakes.connector import FakeConnector
from tests.pipeline.world import CYCLE_GAP, World, ids_in_order


def leads_in_pages(world: World, pages: int, page_size: int = 2) -> list[str]:
    """``pages`` full pages of leads, in pull order, stamped further apart than the lookback."""
    world.page_size = page_size
    ids = []
    for _ in range(pages * page_size):
        ids.append(world.lead())
        world.clock.advance(minutes=10)
    return ids_in_order(world.crm, ids)


@pytest.mark.parametrize(
    ("kind", "error"),
    [("fatal", FatalError), ("transient", TransientError), ("limit", LimitExhausted)],
)
def test_given_a_failure_on_a_prefetched_page_when_syncing_then_it_reaches_the_caller(
    world: World, kind: str, error: type[Exception]
) -> None:
    ids = leads_in_pages(world, pages=4)
    world.crm.fail("query", kind, skip=2)  # the third page's request

    with pytest.raises(error):
        world.sync()

    assert world.stored_ids() == set(ids[:4])  # pages one and two; nothing after the error
    cursor = world.cursor()
    assert cursor is not None and cursor.record_id == ids[3]
    (run,) = world.runs()
    # the daily allowance running out stops a run, it does not fail it (issue 9.6)
    ended = RunState.STOPPED if error is LimitExhausted else RunState.FAILED
    assert run.state is ended and kind in (run.error or "")


def test_given_a_failed_pull_when_the_next_run_comes_then_it_resumes_from_the_cursor(
    world: World,
) -> None:
    ids = leads_in_pages(world, pages=4)
    world.crm.fail("query", "fatal", skip=2)
    with pytest.raises(FatalError):
        world.sync()
    reads = len(world.crm.served["query"])

    world.sync()

    assert world.stored_ids() == set(ids)
    # from the cursor on: the last stored record again (the lookback overlap), then the rest
    assert world.crm.served["query"][reads:] == ids[3:]
    cursor = world.cursor()  # the whole window was read: the next one starts at its end
    assert cursor is not None and (cursor.modstamp, cursor.record_id) == (world.clock.now, "")


def test_given_503s_and_dropped_requests_when_pulling_then_retried_and_every_call_counted(
    world: World,
) -> None:
    ids = leads_in_pages(world, pages=2)
    world.crm.fail("query", "http503", skip=1)
    world.crm.fail("query", "drop")
    connector = FakeConnector(world.crm, page_size=2)

    report = world.sync(world.source(connector))

    assert world.stored_ids() == set(ids)
    assert connector.waits == [1.0, 2.0]
    assert report.counts["api_calls"] == sum(world.crm.requests.values())


def test_given_records_stamped_after_the_window_end_then_they_wait_for_the_next_run(
    world: World,
) -> None:
    early = world.lead()
    ahead = world.crm.add({"Status": "Working - Contacted"}, world.clock.now + 2 * CYCLE_GAP)

    world.sync()

    assert world.stored_ids() == {early}
    cursor = world.cursor()
    assert cursor is not None and cursor.modstamp <= world.clock.now
    world.clock.advance(CYCLE_GAP)
    world.sync()
    assert world.stored_ids() == {early, ahead}


class PastTheEnd(FakeConnector):
    """A broken connector: it hands back a cursor later than the window it was asked for."""

    def pull(
        self, window: Window, after: Cursor | None = None, deletions: Deletions | None = None
    ) -> Iterator[Page]:
        for page in super().pull(window, after, deletions):
            yield Page(page.records, Cursor(window.end + timedelta(hours=1), "00Qfuture"))


def test_given_a_connector_cursor_past_the_window_end_then_the_run_fails_and_it_is_not_kept(
    world: World,
) -> None:
    world.lead()
    world.sync()
    before = world.cursor()
    world.lead()

    with pytest.raises(ValueError, match="past the window end"):
        world.sync(world.source(PastTheEnd(world.crm)))

    after = world.cursor()
    assert before is not None and after is not None
    assert (after.modstamp, after.record_id) == (before.modstamp, before.record_id)
    assert world.runs()[-1].state is RunState.FAILED


def test_given_a_completed_pull_when_nothing_changed_then_the_next_run_reads_nothing(
    world: World,
) -> None:
    world.lead()
    world.clock.advance(minutes=10)  # the newest record is older than the lookback...
    world.sync()
    reads = len(world.crm.served["query"])

    world.clock.advance(minutes=30)  # ...but the window is anchored at the last run's end
    report = world.sync()

    assert world.crm.served["query"][reads:] == []
    assert report.counts["pulled"] == 0


def test_given_a_pull_that_failed_midway_when_the_next_run_comes_then_the_window_is_not_skipped(
    world: World,
) -> None:
    """The cursor moves to the window's end only once the whole window is stored."""
    ids = leads_in_pages(world, pages=3)
    world.sync()
    later = [world.lead() for _ in range(4)]
    world.clock.advance(minutes=30)
    world.crm.fail("query", "fatal", skip=1)  # the second page of the next pull
    with pytest.raises(FatalError):
        world.sync()

    world.clock.advance(minutes=30)
    world.sync()

    assert world.stored_ids() == set(ids) | set(later)
