"""Write-back through the outbox: supersede, RETRY with backoff, then DEAD."""

from __future__ import annotations

from datetime import timedelta

import pytest

from connectors.base import LimitExhausted, OutcomeStatus
from sync.pipeline.outbox import MAX_ATTEMPTS, SUPERSEDED
from sync.store.states import OutboxState
from tests.pipeline.world import CYCLE_GAP, World

ROW_LOCK = "UNABLE_TO_LOCK_ROW: unable to obtain exclusive access to this record"


def locked_fix(world: World, attempts: int = 1) -> str:
    """A working lead with a lingering reason (to clear), synced once; the CRM answers its
    first ``attempts`` writes RETRY (a row lock)."""
    lead = world.lead(Unqualified_Reason__c="Competitor")
    world.crm.answer(lead, OutcomeStatus.RETRY, ROW_LOCK, times=attempts)
    world.sync()
    return lead


def test_given_a_fix_waiting_to_retry_when_the_rep_changes_the_value_then_it_is_superseded(
    world: World,
) -> None:
    lead = world.lead("Nurture", Nurture_Reason__c="No Budget")  # legacy: fix to No Budget Now
    world.crm.answer(lead, OutcomeStatus.RETRY, ROW_LOCK)
    world.sync()
    (waiting,) = world.outbox(lead)
    assert (waiting.new_value, waiting.state) == ("No Budget Now", OutboxState.RETRY)

    world.crm.human_edit(lead, {"Nurture_Reason__c": "Wrong Timing"})  # legacy: Bad Timing
    world.sync()

    old, new = world.outbox(lead)
    assert (old.state, old.last_error) == (OutboxState.CONFLICT, SUPERSEDED)
    assert (new.new_value, new.state) == ("Bad Timing", OutboxState.SENT)
    assert [w.changes for w in world.crm.write_log] == [{"Nurture_Reason__c": "Bad Timing"}]


def test_given_a_fix_waiting_to_retry_when_the_rep_makes_it_unneeded_then_it_is_superseded(
    world: World,
) -> None:
    lead = locked_fix(world)

    world.crm.human_edit(lead, {"Status": "Unqualified"})  # now the reason applies
    world.sync()

    (item,) = world.outbox(lead)
    assert (item.state, item.last_error) == (OutboxState.CONFLICT, SUPERSEDED)


def test_given_a_fix_waiting_when_the_rep_makes_it_unneeded_then_it_is_never_written(
    world: World,
) -> None:
    lead = locked_fix(world)
    world.crm.human_edit(lead, {"Status": "Unqualified"})

    world.clock.advance(hours=1)  # well past the retry time
    world.sync()

    assert world.crm.write_log == [] and world.field(lead, "Unqualified_Reason__c") == "Competitor"
    (item,) = world.outbox(lead)
    assert item.state is OutboxState.CONFLICT


def test_given_a_record_locked_on_every_attempt_when_runs_come_then_backoff_doubles_then_dead(
    world: World,
) -> None:
    lead = locked_fix(world, attempts=MAX_ATTEMPTS)
    waits = []
    for _ in range(MAX_ATTEMPTS - 1):
        (item,) = world.outbox(lead)
        assert item.state is OutboxState.RETRY and item.last_error == ROW_LOCK
        assert item.next_attempt_at is not None
        waits.append(item.next_attempt_at - world.clock.now)
        world.clock.now = item.next_attempt_at - CYCLE_GAP
        world.sync()

    (item,) = world.outbox(lead)
    assert waits == [timedelta(minutes=m) for m in (2, 4, 8, 16)]
    assert (item.state, item.attempts, item.last_error) == (OutboxState.DEAD, 5, ROW_LOCK)
    assert world.crm.requests["update"] == MAX_ATTEMPTS and world.crm.write_log == []


def test_given_a_retry_not_yet_due_when_a_run_comes_then_the_item_is_not_attempted(
    world: World,
) -> None:
    lead = locked_fix(world)
    (item,) = world.outbox(lead)
    assert item.next_attempt_at == world.clock.now + timedelta(minutes=2)

    world.sync()  # one minute later

    assert world.crm.requests["update"] == 1 and world.crm.requests["reread"] == 1
    world.sync()  # two minutes later: due
    assert world.field(lead, "Unqualified_Reason__c") is None
    assert [i.state for i in world.outbox(lead)] == [OutboxState.SENT]


def test_given_a_dead_answer_when_writing_then_the_item_is_dead_with_the_crm_message(
    world: World,
) -> None:
    lead = world.lead(Unqualified_Reason__c="Competitor")
    message = "validation rule: Unqualified leads need a reason"
    world.crm.answer(lead, OutcomeStatus.DEAD, message)

    world.sync()
    world.clock.advance(hours=1)
    world.sync()

    (item,) = world.outbox(lead)
    assert (item.state, item.last_error, item.attempts) == (OutboxState.DEAD, message, 1)
    assert world.crm.requests["update"] == 1


def test_given_a_batch_with_one_bad_value_when_writing_then_only_that_record_is_dead(
    world: World,
) -> None:
    good = world.lead(Unqualified_Reason__c="Competitor")
    bad = world.lead(Unqualified_Reason__c="Competitor")
    world.crm.answer(bad, OutcomeStatus.DEAD, "Unqualified_Reason__c: bad value")

    report = world.sync()

    assert report.counts["sent"] == 1 and report.counts["dead"] == 1
    assert world.field(good, "Unqualified_Reason__c") is None
    assert world.field(bad, "Unqualified_Reason__c") == "Competitor"
    assert world.crm.requests["update"] == 1  # one batch for both


def test_given_a_human_edit_after_evaluation_when_writing_then_conflict_and_the_edit_kept(
    world: World,
) -> None:
    lead = world.lead(Unqualified_Reason__c="Competitor")
    world.crm.before_next(
        "reread", lambda: world.crm.human_edit(lead, {"Unqualified_Reason__c": "Duplicate"})
    )

    report = world.sync()

    assert report.counts["conflict"] == 1 and world.crm.write_log == []
    assert world.field(lead, "Unqualified_Reason__c") == "Duplicate"
    (item,) = world.outbox(lead)
    assert item.state is OutboxState.CONFLICT and "after evaluation" in (item.last_error or "")


def test_given_the_daily_limit_reached_during_write_back_then_the_run_stops_and_items_wait(
    world: World,
) -> None:
    leads = [world.lead(Unqualified_Reason__c="Competitor") for _ in range(3)]
    world.crm.fail("update", "limit", skip=1)  # the second batch's write

    with pytest.raises(LimitExhausted):
        world.sync(world.source(batch_size=1))

    assert len(world.crm.write_log) == 1
    # the interrupted batch stays in flight (only the CRM knows what reached it), the rest waits
    states = sorted(i.state for i in world.outbox())
    assert states == [OutboxState.PENDING, OutboxState.SENDING, OutboxState.SENT]
    world.sync()  # the next day's run reconciles the batch in flight and writes the rest
    assert all(world.field(lead, "Unqualified_Reason__c") is None for lead in leads)
