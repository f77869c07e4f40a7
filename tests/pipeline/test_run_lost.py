"""RunLost: another worker declared this run dead (its heartbeat looked stale); the run must
stop before writing anything more, and leave the run dead."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from sync.pipeline import lifecycle
from sync.pipeline.engine import STALE_AFTER, RunLost
from sync.store import runs
from sync.store.states import OutboxState, RunState
from tests.pipeline.world import World
from tests.waiting import wait_until


def another_worker_declares_runs_dead(world: World) -> None:
    """What a second worker's start does after a long stall of ours: mark our run dead."""
    with world.sessions() as session:
        stale = runs.mark_stale_runs_dead(session, world.clock.now + 2 * STALE_AFTER, STALE_AFTER)
        assert stale, "no running run to declare dead"
        session.commit()


def test_given_a_run_declared_dead_during_the_pull_then_it_stores_and_writes_nothing(
    world: World,
) -> None:
    leads = [world.lead(Unqualified_Reason__c="Competitor") for _ in range(3)]
    world.crm.before_next("query", lambda: another_worker_declares_runs_dead(world))

    with pytest.raises(RunLost):
        world.sync()

    assert world.stored_ids() == set() and world.outbox() == []
    assert world.crm.requests["update"] == 0 and world.crm.requests["reread"] == 0
    assert [run.state for run in world.runs()] == [RunState.DEAD]
    assert world.cursor() is None
    world.sync()  # the next run does it all
    assert world.stored_ids() == set(leads)


def test_given_a_run_declared_dead_during_the_pull_then_the_caller_is_told_run_lost(
    world: World,
) -> None:
    world.lead(Unqualified_Reason__c="Competitor")
    world.crm.before_next("query", lambda: another_worker_declares_runs_dead(world))

    with pytest.raises(RunLost, match="marked dead by another worker"):
        world.sync()


def test_given_a_run_declared_dead_during_write_back_then_it_stops_after_the_batch_in_flight(
    world: World,
) -> None:
    leads = [world.lead(Unqualified_Reason__c="Competitor") for _ in range(3)]
    source = world.source(batch_size=1)
    world.crm.before_next("update", lambda: another_worker_declares_runs_dead(world))

    with pytest.raises(RunLost):
        world.sync(source)

    assert len(world.crm.write_log) == 1  # the batch in flight; none after it
    assert [run.state for run in world.runs()] == [RunState.DEAD]
    world.sync()  # the next run reconciles the written one without writing it again
    assert len(world.crm.write_log) == 3
    assert {w.record_id for w in world.crm.write_log} == set(leads)
    assert {i.state for i in world.outbox()} == {OutboxState.SENT}


def test_given_one_crm_call_outlasting_the_stale_limit_then_the_run_stays_alive_and_finishes(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Bulk job polled for minutes is one long wait inside the pull, with no guard between:
    a thread beats the run's heartbeat meanwhile, so another worker's start leaves it alive."""
    monkeypatch.setattr(lifecycle, "BEAT_EVERY", timedelta(milliseconds=5))
    lead = world.lead(Unqualified_Reason__c="Competitor")

    def a_long_call() -> None:
        world.clock.advance(STALE_AFTER + timedelta(minutes=1))
        wait_until(lambda: beaten_at(world) == world.clock.now, 10, "a heartbeat at the new time")
        with world.sessions() as session:  # another worker starts meanwhile
            assert runs.mark_stale_runs_dead(session, world.clock.now, STALE_AFTER) == []
            session.commit()

    world.crm.before_next("query", a_long_call)
    world.sync()

    assert [run.state for run in world.runs()] == [RunState.SUCCEEDED]
    assert world.stored_ids() == {lead}


def beaten_at(world: World) -> datetime | None:
    (run,) = world.runs()
    return run.heartbeat_at
