"""Jobs built from the YAML schedules: ids, triggers and the one-at-a-time settings."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from sync.config.settings import Settings, load_settings
from sync.demo import write_config
from sync.scheduler import MISFIRE_GRACE, build_scheduler, scheduled_sources
from tests.scheduler.conftest import schedule

NOW = datetime(2026, 11, 22, 12, 10, tzinfo=UTC)


def settings_with(tmp_path: Path, **schedules: str) -> Settings:
    """Settings of the demo config (emulators never contacted) with ``schedules`` added."""
    config = write_config(tmp_path, "http://127.0.0.1:9", "http://127.0.0.1:9")
    return load_settings(schedule(config, **schedules))


def ignore(_name: str) -> None:
    """A run_source for schedulers that are inspected, never started."""


def test_given_interval_and_cron_schedules_when_built_then_one_job_per_source_with_limits(
    tmp_path: Path,
) -> None:
    settings = settings_with(tmp_path, salesforce="{every: 15m}", hubspot='{cron: "*/30 * * * *"}')

    scheduler = build_scheduler(settings, ignore, now=NOW)

    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert sorted(jobs) == ["sync:hubspot", "sync:salesforce"]
    for name, job in jobs.items():
        assert job.args == (name.removeprefix("sync:"),)
        assert job.func is ignore
        assert (job.max_instances, job.coalesce) == (1, True)
        assert job.misfire_grace_time == MISFIRE_GRACE.total_seconds() == 300
    interval = jobs["sync:salesforce"].trigger
    assert isinstance(interval, IntervalTrigger)
    assert interval.interval == timedelta(minutes=15)
    cron = jobs["sync:hubspot"].trigger
    assert isinstance(cron, CronTrigger)
    assert str(cron.timezone) == "UTC"


def test_given_schedules_when_asked_for_fire_times_then_interval_starts_now_and_cron_is_utc(
    tmp_path: Path,
) -> None:
    settings = settings_with(tmp_path, salesforce="{every: 15m}", hubspot='{cron: "*/30 * * * *"}')

    jobs = {job.id: job for job in build_scheduler(settings, ignore, now=NOW).get_jobs()}

    interval, cron = jobs["sync:salesforce"].trigger, jobs["sync:hubspot"].trigger
    assert jobs["sync:salesforce"].next_run_time == NOW
    assert interval.get_next_fire_time(NOW, NOW) == NOW + timedelta(minutes=15)
    assert cron.get_next_fire_time(None, NOW) == datetime(2026, 11, 22, 12, 30, tzinfo=UTC)


def test_given_a_source_without_schedule_when_built_then_it_has_no_job(tmp_path: Path) -> None:
    settings = settings_with(tmp_path, hubspot="{every: 1h}")

    scheduler = build_scheduler(settings, ignore, now=NOW)

    assert [job.id for job in scheduler.get_jobs()] == ["sync:hubspot"]
    assert scheduled_sources(settings) == ["hubspot"]


def test_given_no_schedules_when_built_then_the_scheduler_has_no_jobs(tmp_path: Path) -> None:
    settings = settings_with(tmp_path)

    assert build_scheduler(settings, ignore, now=NOW).get_jobs() == []


def test_given_a_started_scheduler_when_jobs_are_due_then_each_source_runs_once_by_name(
    tmp_path: Path,
) -> None:
    """Interval jobs fire at start (not one interval later), each with its source's name."""
    settings = settings_with(tmp_path, salesforce="{every: 1h}", hubspot="{every: 1h}")
    ran: list[str] = []
    both = threading.Event()

    def run_source(name: str) -> None:
        ran.append(name)
        if len(ran) == 2:
            both.set()

    scheduler = build_scheduler(settings, run_source, BackgroundScheduler, now=datetime.now(UTC))
    scheduler.start()
    try:
        assert both.wait(5), f"jobs did not fire at start (ran: {ran})"
    finally:
        scheduler.shutdown(wait=True)
    assert sorted(ran) == ["hubspot", "salesforce"]
