"""Runs: legal state transitions only, heartbeats, stale runs marked dead; job leases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from sync.store.errors import IllegalTransition
from sync.store.leases import acquire_lease, lease_info, release_lease
from sync.store.models import Run
from sync.store.runs import finish_run, heartbeat, mark_stale_runs_dead, start_run
from sync.store.states import RunState
from tests.builders import NOW

MINUTE = timedelta(minutes=1)


def test_given_a_new_run_when_started_then_it_is_running_with_a_heartbeat(
    session: Session,
) -> None:
    run = start_run(session, "sync", NOW, source="salesforce", worker_id="w1", dry_run=True)

    assert (run.state, run.started_at, run.heartbeat_at, run.finished_at) == (
        RunState.RUNNING, NOW, NOW, None,
    )  # fmt: skip
    assert run.id is not None and run.dry_run and run.counts == {}


def test_given_a_running_run_when_finished_then_counts_error_and_finish_time_are_kept(
    session: Session,
) -> None:
    run = start_run(session, "sync", NOW)

    finish_run(session, run.id, RunState.FAILED, NOW + MINUTE, {"pulled": 3}, "x" * 10_000)
    session.commit()
    session.expunge_all()

    stored = session.get(Run, run.id)
    assert stored is not None and stored.state is RunState.FAILED
    assert stored.counts == {"pulled": 3} and stored.finished_at == NOW + MINUTE
    assert stored.error == "x" * 4_000


@pytest.mark.parametrize(
    ("start", "to"),
    [
        (RunState.QUEUED, RunState.SUCCEEDED),
        (RunState.RUNNING, RunState.QUEUED),
        (RunState.RUNNING, RunState.RUNNING),
        (RunState.SUCCEEDED, RunState.RUNNING),
        (RunState.FAILED, RunState.SUCCEEDED),
        (RunState.DEAD, RunState.SUCCEEDED),
    ],
)
def test_given_a_run_state_when_moved_illegally_then_it_raises_and_keeps_its_state(
    start: RunState, to: RunState
) -> None:
    run = Run(kind="sync", state=start)

    with pytest.raises(IllegalTransition, match=f"cannot go from {start} to {to}"):
        run.transition(to, NOW)

    assert run.state is start


def test_given_a_finished_run_when_finished_again_then_it_is_refused(session: Session) -> None:
    run = start_run(session, "sync", NOW)
    finish_run(session, run.id, RunState.SUCCEEDED, NOW)

    with pytest.raises(IllegalTransition):
        finish_run(session, run.id, RunState.FAILED, NOW)


def test_given_runs_with_old_and_fresh_heartbeats_when_stale_ones_are_marked_then_only_old_die(
    session: Session,
) -> None:
    crashed = start_run(session, "sync", NOW - 10 * MINUTE, worker_id="w1")
    alive = start_run(session, "sync", NOW - 10 * MINUTE, worker_id="w2")
    heartbeat(session, alive.id, NOW - MINUTE, {"pulled": 200})

    dead = mark_stale_runs_dead(session, NOW, stale_after=5 * MINUTE)

    assert [run.id for run in dead] == [crashed.id]
    assert crashed.state is RunState.DEAD and crashed.finished_at == NOW
    assert crashed.error is not None and "w1 stopped beating" in crashed.error
    session.refresh(alive)
    assert alive.state is RunState.RUNNING and alive.counts == {"pulled": 200}


def test_given_a_run_marked_dead_when_its_worker_beats_then_it_is_told_to_stop(
    session: Session,
) -> None:
    run = start_run(session, "sync", NOW - 10 * MINUTE)
    mark_stale_runs_dead(session, NOW, stale_after=5 * MINUTE)

    assert heartbeat(session, run.id, NOW) is False
    with pytest.raises(IllegalTransition):
        finish_run(session, run.id, RunState.SUCCEEDED, NOW)


def test_given_a_lease_held_by_one_worker_when_another_asks_then_only_expiry_frees_it(
    session: Session,
) -> None:
    assert acquire_lease(session, "sync:salesforce", "w1", "w1@h:1/a", ttl=5 * MINUTE)

    assert not acquire_lease(session, "sync:salesforce", "w2", "w2@h:2/b", ttl=5 * MINUTE)
    assert acquire_lease(session, "sync:salesforce", "w1", "w1@h:1/a", ttl=0 * MINUTE)  # expires
    assert acquire_lease(session, "sync:salesforce", "w2", "w2@h:2/b", ttl=5 * MINUTE)
    info = lease_info(session, "sync:salesforce")
    assert info is not None and (info.holder, info.instance) == ("w2", "w2@h:2/b")


def test_given_a_lease_when_its_holder_renews_then_it_keeps_since_when_it_holds_it(
    session: Session,
) -> None:
    acquire_lease(session, "sync:salesforce", "w1", "w1@h:1/a", ttl=5 * MINUTE)
    first = lease_info(session, "sync:salesforce")

    acquire_lease(session, "sync:salesforce", "w1", "w1@h:1/a", ttl=5 * MINUTE)

    again = lease_info(session, "sync:salesforce")
    assert first is not None and again is not None
    assert again.acquired_at == first.acquired_at and again.expires_at >= first.expires_at


def test_given_a_lease_of_an_earlier_process_when_its_worker_takes_it_back_then_only_it_can(
    session: Session,
) -> None:
    acquire_lease(session, "sync:salesforce", "w1", "w1@h:1/old", ttl=5 * MINUTE)

    assert not acquire_lease(
        session, "sync:salesforce", "w2", "w2@h:2/b", 5 * MINUTE, take_back_from="w1@h:1/old"
    )
    assert acquire_lease(
        session, "sync:salesforce", "w1", "w1@h:3/new", 5 * MINUTE, take_back_from="w1@h:1/old"
    )


def test_given_a_held_lease_when_released_by_its_holder_then_another_worker_gets_it(
    session: Session,
) -> None:
    acquire_lease(session, "feedback", "w1", "w1@h:1/a", ttl=5 * MINUTE)
    release_lease(session, "feedback", "w2@h:2/b")  # not the holder: no effect
    assert not acquire_lease(session, "feedback", "w2", "w2@h:2/b", ttl=5 * MINUTE)

    release_lease(session, "feedback", "w1@h:1/a")

    assert acquire_lease(session, "feedback", "w2", "w2@h:2/b", ttl=5 * MINUTE)
