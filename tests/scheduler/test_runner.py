"""One scheduled cycle against the sandbox loop: it syncs, yields to a lease holder, survives."""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from sync.scheduler import (
    LEASE_TTL,
    Outcome,
    SourceRunner,
    hold_lease,
    job_id,
    recover_stale_runs,
)
from sync.store import runs
from sync.store.leases import acquire_lease
from sync.store.models import Lease, Run
from sync.store.states import RunState
from tests.scheduler.conftest import START, Harness, scheduled
from tests.waiting import wait_until

OTHER_WORKER = "other-host:4242"


def runner(harness: Harness, holder: str = "this-host:1") -> SourceRunner:
    return SourceRunner(harness.settings, harness.sessions, harness.clock, holder)


def run_rows(harness: Harness) -> list[tuple[str | None, RunState]]:
    with harness.sessions() as session:
        return [(run.source, run.state) for run in session.scalars(select(Run).order_by(Run.id))]


def leases(harness: Harness) -> list[str]:
    with harness.sessions() as session:
        return list(session.scalars(select(Lease.name)))


def other_worker_holds(harness: Harness, source: str, holder: str = OTHER_WORKER) -> None:
    with harness.sessions() as session:
        assert acquire_lease(session, job_id(source), holder, harness.clock(), LEASE_TTL)
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
    assert "another worker holds lease sync:salesforce" in caplog.text
    assert leases(harness) == ["sync:salesforce"]  # still the other worker's


def test_given_a_lease_of_a_crashed_worker_when_it_expires_then_the_next_job_runs(
    harness: Harness,
) -> None:
    other_worker_holds(harness, "hubspot")
    assert runner(harness)("hubspot") is Outcome.SKIPPED

    harness.clock.advance(LEASE_TTL + timedelta(seconds=1))

    assert runner(harness)("hubspot") is Outcome.RAN
    assert run_rows(harness) == [("hubspot", RunState.SUCCEEDED)]


def test_given_a_lease_on_one_source_when_the_other_runs_then_it_is_not_blocked(
    harness: Harness,
) -> None:
    other_worker_holds(harness, "salesforce")

    assert runner(harness)("hubspot") is Outcome.RAN


def test_given_the_crm_refuses_when_the_job_runs_then_the_error_is_logged_not_raised(
    harness: Harness,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The daily API limit stops the cycle; the scheduler thread lives on, the next cycle runs."""
    harness.box.salesforce.faults.script("*", "request_limit", times=3)
    worker = runner(harness)

    with caplog.at_level(logging.INFO, logger="sync.scheduler"):
        outcome = worker("salesforce")

    assert outcome is Outcome.FAILED
    failures = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert [r.getMessage().split(":")[0] for r in failures] == ["salesforce"]
    assert "cycle failed" in failures[0].getMessage()
    assert "sandbox-password" not in caplog.text and "sandbox-token" not in caplog.text
    assert leases(harness) == []
    harness.box.salesforce.faults.load({})
    assert worker("salesforce") is Outcome.RAN


def test_given_a_run_of_a_crashed_worker_when_the_daemon_starts_then_it_is_marked_dead(
    harness: Harness,
) -> None:
    with harness.sessions() as session:
        runs.start_run(session, "sync", harness.clock(), "salesforce", OTHER_WORKER)
        session.commit()
    harness.clock.advance(minutes=11)

    assert recover_stale_runs(harness.sessions, harness.clock()) == 1
    assert run_rows(harness) == [("salesforce", RunState.DEAD)]
    assert recover_stale_runs(harness.sessions, harness.clock()) == 0


def expiry(harness: Harness, lease: str) -> datetime | None:
    with harness.sessions() as session:
        return session.scalar(select(Lease.expires_at).where(Lease.name == lease))


def test_given_a_held_lease_when_time_passes_then_it_is_renewed_and_released_at_the_end(
    harness: Harness,
) -> None:
    with hold_lease(
        harness.sessions, "sync:salesforce", "this-host:1", harness.clock, renew_seconds=0.01
    ) as held:
        assert held
        assert expiry(harness, "sync:salesforce") == START + LEASE_TTL
        later = harness.clock.advance(LEASE_TTL / 2)
        wait_until(
            lambda: expiry(harness, "sync:salesforce") == later + LEASE_TTL, 5, "a lease renewal"
        )

    assert leases(harness) == []


@pytest.mark.postgres
def test_given_two_workers_when_both_fire_at_once_then_exactly_one_syncs(
    any_store_harness: Harness,
) -> None:
    """Two daemons on one store, same source, same instant: one runs, one skips."""
    harness = any_store_harness
    harness.box.hubspot.faults.script("*", "slow", delay=0.5)  # keep the winner busy
    workers = [runner(harness, "host-a:1"), runner(harness, "host-b:2")]
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
