"""The scheduler's feedback job: built from ``feedback.schedule``, run after the syncs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner

from connectors.http import RetryPolicy
from sync.cli import cli
from sync.config.settings import load_settings
from sync.feedback.job import FeedbackRunner
from sync.lease import Worker
from sync.scheduler import MISFIRE_GRACE, Outcome, build_scheduler
from sync.store.leases import acquire_lease, release_lease
from tests.e2e.conftest import Harness

NOW = datetime(2026, 11, 22, 12, 10, tzinfo=UTC)


def with_feedback_schedule(config: Path, schedule: str) -> Path:
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace("  target: hubspot\n", f"  target: hubspot\n  schedule: {schedule}\n"),
        encoding="utf-8",
    )
    return config


def test_given_a_feedback_schedule_then_the_scheduler_has_a_feedback_job_with_limits(
    harness: Harness,
) -> None:
    settings = load_settings(with_feedback_schedule(harness.config, '{cron: "0 6 * * *"}'))

    def runner() -> None:
        """A run_feedback for a scheduler that is inspected, never started."""

    jobs = {job.id: job for job in build_scheduler(settings, print, now=NOW,
                                                    run_feedback=runner).get_jobs()}  # fmt: skip

    job = jobs["feedback"]
    assert (job.func, job.max_instances, job.coalesce) == (runner, 1, True)
    assert job.misfire_grace_time == MISFIRE_GRACE.total_seconds()
    assert str(job.trigger.get_next_fire_time(None, NOW)) == "2026-11-23 06:00:00+00:00"


WORKER_1 = Worker("worker-1", "h", 1, "a")


def test_given_no_feedback_schedule_then_there_is_no_feedback_job(harness: Harness) -> None:
    jobs = build_scheduler(harness.settings, print, now=NOW, run_feedback=lambda: None)

    assert "feedback" not in {job.id for job in jobs.get_jobs()}


def test_given_the_job_then_it_runs_skips_under_another_workers_lease_and_survives_failure(
    harness: Harness,
) -> None:
    harness.sync()
    runner = FeedbackRunner(harness.settings, harness.sessions, harness.clock, WORKER_1)

    assert runner() is Outcome.RAN
    with harness.sessions() as session:
        acquire_lease(session, "feedback", "worker-2", "worker-2:h:2:b", timedelta(minutes=5))
        session.commit()
    assert runner() is Outcome.SKIPPED
    with harness.sessions() as session:  # worker-2 is done
        release_lease(session, "feedback", "worker-2:h:2:b")
        session.commit()
    harness.clock.advance(minutes=10)
    harness.box.hubspot.faults.script("schemas", "http500", times=RetryPolicy().attempts)
    harness.box.salesforce.human_edit(harness.sf_leads("missing_reason")[0]["Id"],
                                      {"Nurture_Reason__c": "Competitor"})  # fmt: skip
    harness.sync("salesforce")
    assert runner() is Outcome.FAILED  # the custom object could not be pushed; logged


def test_given_run_once_with_a_feedback_schedule_then_feedback_runs_after_the_syncs(
    harness: Harness,
) -> None:
    with_feedback_schedule(harness.config, "{every: 1d}")

    result = CliRunner().invoke(cli, ["run", "-c", str(harness.config), "--once"])

    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == ["feedback: ran"]
