"""One scheduled cycle against the sandbox loop: it syncs, yields to a lease holder, survives."""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, update

from sync.lease import LEASE_TTL, Worker, hold_lease
from sync.scheduler import Outcome, SourceRunner, job_id, recover_stale_runs
from sync.store import runs
from sync.store.leases import acquire_lease
from sync.store.models import Lease, Run
from sync.store.states import RunState
from tests.scheduler.conftest import Harness, scheduled
from tests.waiting import wait_until

OTHER_WORKER = Worker("other-host", "other-host", 4242, "abc123")
THIS_WORKER = Worker("this-host", "this-host", 1, "def456")


def runner(harness: Harness, worker: Worker = THIS_WORKER) -> SourceRunner:
    return SourceRunner(harness.settings, harness.sessions, harness.clock, worker)


def run_rows(harness: Harness) -> list[tuple[str | None, RunState]]:
    with harness.sessions() as session:
        return [(run.source, run.state) for run in session.scalars(select(Run).order_by(Run.id))]


def leases(harness: Harness) -> list[str]:
    with harness.sessions() as session:
        return list(session.scalars(select(Lease.name)))


def other_worker_holds(
    harness: Harness, source: str, worker: Worker = OTHER_WORKER, ttl: timedelta = LEASE_TTL
) -> None:
    with harness.sessions() as session:
        assert acquire_lease(session, job_id(source), worker.name, worker.instance, ttl)
        session.commit()


def test_given_a_scheduled_source_when_its_job_runs_then_a_real_cycle_writes_and_frees_the_lease(
    harness: Harness,
) -> None:
    scheduled(harness, salesforce="{every: 15m}")

    outcome = runner(harness)("salesforce")

    assert outcome is Outcome.RAN
    assert harness.writes() > 0
    assert run_rows(harness) == [("salesforce", RunState.SUCCEEDED)]
    assert leases(harness) == []


def test_given_another_worker_holds_the_lease_when_the_job_runs_then_the_cycle_is_skipped(
    harness: Harness,
    caplog: pytest.LogCaptureFixture,
) -> None:
    other_worker_holds(harness, "salesforce")

    with caplog.at_level(logging.INFO, logger="sync.scheduler"):
        outcome = runner(harness)("salesforce")

    assert outcome is Outcome.SKIPPED
    assert harness.writes() == 0 and run_rows(harness) == []
    assert "source salesforce is being synced by worker other-host since" in caplog.text
    assert leases(harness) == ["sync:salesforce"]  # still the other worker's


def test_given_a_crashed_workers_lease_when_it_expires_then_the_next_job_runs_and_buries_its_run(
    harness: Harness,
) -> None:
    with harness.sessions() as session:
        runs.start_run(session, "sync", harness.clock(), "hubspot", OTHER_WORKER.instance)
        session.commit()
    other_worker_holds(harness, "hubspot")
    assert runner(harness)("hubspot") is Outcome.SKIPPED

    other_worker_holds(harness, "hubspot", ttl=timedelta(0))  # its lease ran out (store clock)

    assert runner(harness)("hubspot") is Outcome.RAN
    assert run_rows(harness) == [("hubspot", RunState.DEAD), ("hubspot", RunState.SUCCEEDED)]


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_given_a_restarted_worker_when_its_dead_self_holds_the_lease_then_it_takes_it_back_at_once(
    harness: Harness,
) -> None:
    me = Worker.current("worker-1")
    earlier = Worker("worker-1", me.host, _dead_pid(), "0ld0ld")
    other_worker_holds(harness, "hubspot", earlier)

    assert runner(harness, me)("hubspot") is Outcome.RAN


def test_given_a_live_process_of_the_same_worker_name_when_the_job_runs_then_it_is_skipped(
    harness: Harness,
) -> None:
    me = Worker.current("worker-1")
    alive = subprocess.Popen(
        [sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE
    )
    try:
        other_worker_holds(harness, "hubspot", Worker("worker-1", me.host, alive.pid, "s1bl1n"))

        assert runner(harness, me)("hubspot") is Outcome.SKIPPED
    finally:
        alive.communicate(b"")


def test_given_a_lease_taken_mid_pull_when_the_worker_would_commit_then_it_stops_without_writing(
    harness: Harness,
) -> None:
    def steal(_emulator: object) -> None:
        with harness.sessions() as session:
            session.execute(update(Lease).values(holder="thief", instance="thief@elsewhere:1/x"))
            session.commit()

    harness.box.salesforce.before_next("query", steal)

    assert runner(harness)("salesforce") is Outcome.FAILED
    assert harness.writes() == 0
    assert run_rows(harness) == [("salesforce", RunState.ABORTED)]
    assert harness.outbox_count() == 0  # the page read under the lost lease was not committed


def test_given_a_lease_on_one_source_when_the_other_runs_then_it_is_not_blocked(
    harness: Harness,
) -> None:
    other_worker_holds(harness, "salesforce")

    assert runner(harness)("hubspot") is Outcome.RAN


def test_given_the_crm_refuses_when_the_job_runs_then_the_error_is_logged_not_raised(
    harness: Harness,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A refused login fails the cycle; the scheduler thread lives on, the next cycle runs."""
    harness.box.salesforce.faults.script("*", "invalid_session", times=3)
    worker = runner(harness)

    with caplog.at_level(logging.INFO, logger="sync.scheduler"):
        outcome = worker("salesforce")

    assert outcome is Outcome.FAILED
    failures = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert [r.getMessage().split(":")[0] for r in failures] == ["salesforce"]
    host = harness.box.salesforce_url.removeprefix("http://")
    assert f"cycle failed ({host}): " in failures[0].getMessage()
    assert "sandbox-password" not in caplog.text and "sandbox-token" not in caplog.text
    assert leases(harness) == []
    harness.box.salesforce.faults.load({})
    assert worker("salesforce") is Outcome.RAN


def test_given_the_daily_api_limit_at_login_when_the_job_runs_then_the_cycle_is_stopped(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 9.6: the allowance running out stops a cycle (no backoff), it does not fail it."""
    harness.box.salesforce.faults.script("*", "request_limit", times=3)

    with caplog.at_level(logging.INFO, logger="sync.scheduler"):
        outcome = runner(harness)("salesforce")

    assert outcome is Outcome.STOPPED
    assert "salesforce: cycle stopped" in caplog.text and "REQUEST_LIMIT_EXCEEDED" in caplog.text
    assert [r for r in caplog.records if r.levelno == logging.ERROR] == []


def test_given_the_daily_api_limit_mid_pull_when_the_job_runs_then_the_run_is_stopped_not_failed(
    harness: Harness,
) -> None:
    harness.box.salesforce.faults.script("query", "request_limit", times=3)

    assert runner(harness)("salesforce") is Outcome.STOPPED
    assert run_rows(harness) == [("salesforce", RunState.STOPPED)]
    assert leases(harness) == []


def test_given_a_run_of_a_crashed_worker_when_the_daemon_starts_then_it_is_marked_dead(
    harness: Harness,
) -> None:
    with harness.sessions() as session:
        runs.start_run(session, "sync", harness.clock(), "salesforce", OTHER_WORKER.instance)
        session.commit()
    harness.clock.advance(minutes=11)

    assert recover_stale_runs(harness.sessions, harness.clock()) == 1
    assert run_rows(harness) == [("salesforce", RunState.DEAD)]
    assert recover_stale_runs(harness.sessions, harness.clock()) == 0


def expiry(harness: Harness, lease: str) -> datetime | None:
    with harness.sessions() as session:
        return session.scalar(select(Lease.expires_at).where(Lease.name == lease))


def test_given_a_held_lease_when_its_heartbeat_runs_then_it_is_renewed_and_released_at_the_end(
    harness: Harness,
) -> None:
    short = timedelta(seconds=0.3)
    with hold_lease(harness.sessions, "sync:salesforce", THIS_WORKER, ttl=short) as held:
        first = expiry(harness, "sync:salesforce")
        wait_until(lambda: expiry(harness, "sync:salesforce") != first, 5, "a lease renewal")
        held.ensure()  # still ours

    assert leases(harness) == []


@pytest.mark.postgres
def test_given_two_workers_when_both_fire_at_once_then_exactly_one_syncs(
    any_store_harness: Harness,
) -> None:
    """Two daemons on one store, same source, same instant: one runs, one skips."""
    harness = any_store_harness
    harness.box.hubspot.faults.script("*", "slow", delay=0.5)  # keep the winner busy
    workers = [runner(harness, Worker.current("host-a")), runner(harness, Worker.current("host-b"))]
    start = threading.Barrier(2)
    outcomes: list[Outcome] = []

    def fire(worker: SourceRunner) -> None:
        start.wait()
        outcomes.append(worker("hubspot"))

    threads = [threading.Thread(target=fire, args=(worker,)) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert sorted(o.value for o in outcomes) == ["ran", "skipped"]
    assert run_rows(harness) == [("hubspot", RunState.SUCCEEDED)]
    assert leases(harness) == []


def test_given_a_command_waiting_for_a_lease_when_its_holder_frees_it_then_no_cycle_cuts_in(
    harness: Harness,
) -> None:
    # given: another worker holds salesforce, and a manual command waits for it
    scheduled(harness, salesforce="{every: 15m}")
    held = threading.Event()
    release = threading.Event()
    manual = Worker("manual", "this-host", 2, "0a0a0a")

    def holder() -> None:
        with hold_lease(harness.sessions, job_id("salesforce"), OTHER_WORKER):
            held.set()
            release.wait(30)

    def waiter() -> None:  # polls every 2 s: a cycle firing meanwhile finds the lease free
        with hold_lease(harness.sessions, job_id("salesforce"), manual, wait=timedelta(seconds=30),
                        poll=2.0):  # fmt: skip
            got.append(True)

    got: list[bool] = []
    threads = [threading.Thread(target=holder), threading.Thread(target=waiter)]
    threads[0].start()
    assert held.wait(10)
    threads[1].start()
    wait_until(lambda: f"{job_id('salesforce')}:next" in leases(harness), 10, "the queued wait")

    # when: the holder lets go and this worker's scheduled cycle fires at once
    release.set()
    threads[0].join(10)
    outcome = runner(harness)("salesforce")
    threads[1].join(10)

    # then: the cycle yielded to the waiting command, which got the lease
    assert outcome is Outcome.SKIPPED
    assert got == [True]
    assert leases(harness) == []
