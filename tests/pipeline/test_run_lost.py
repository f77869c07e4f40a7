"""RunLost: another worker declared this run dead (its heartbeat looked stale); the run must
stop before writing anything more, and leave the run dead."""

from __future__ import annotations

import pytest

from sync.pipeline.engine import STALE_AFTER, RunLost
from sync.store import runs
from sync.store.states import OutboxState, RunState
from tests.pipeline.world import World


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
