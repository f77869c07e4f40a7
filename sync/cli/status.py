"""``leadloop status``: per source its schedule and next run, the last outcome, who holds it,
the API budget, the cursor, recent runs, the outbox and open findings."""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path
from typing import Any

import click

from sync.cli.base import config_option, emit, guarded, json_option, load, open_store, utc_now


def _schedule(settings: Any, name: str, session: Any, now: datetime) -> dict[str, Any]:
    from connectors.durations import format_duration
    from sync.scheduler import next_fire_time
    from sync.store.summary import aware, last_start

    schedule = settings.sources[name].schedule
    if schedule is None:
        return {"schedule": None, "next_run_at": None}
    started = last_start(session, name)
    when = next_fire_time(schedule, aware(started) if started else None, now)
    text = f"every {format_duration(schedule.every)}" if schedule.every else schedule.cron
    return {"schedule": text, "next_run_at": when.isoformat()}


def _source(settings: Any, name: str, session: Any, now: datetime) -> dict[str, Any]:
    from sync.pipeline.cycle import lease_name
    from sync.pipeline.engine import STREAM
    from sync.store.leases import lease_info
    from sync.store.summary import api_usage, source_summary

    data = source_summary(session, name, STREAM)
    data.update(_schedule(settings, name, session, now))
    latest = data["runs"][0] if data["runs"] else None
    data["last_outcome"] = None
    if latest is not None:
        keys = ("id", "kind", "state", "finished_at", "error")
        data["last_outcome"] = {key: latest[key] for key in keys}
        data["last_outcome"]["held"] = latest["counts"].get("held", 0)
    lease = lease_info(session, lease_name(name))
    data["held_by"] = (
        None
        if lease is None or lease.expires_at <= now
        else {"worker": lease.holder, "since": lease.acquired_at and lease.acquired_at.isoformat()}
    )
    midnight = datetime.combine(now.date(), time(0), tzinfo=now.tzinfo)
    data["api"] = api_usage(session, name, midnight)
    data["api"]["budget_share"] = settings.api_budget_share(name)
    return data


@click.command()
@config_option
@json_option
@guarded
def status(config_path: Path | None, as_json: bool) -> None:
    """Per source: schedule and next run, last outcome, API budget, cursor, recent runs,
    outbox by state, open findings by policy."""
    from sync.store.summary import recent_runs

    settings = load(config_path)
    now = utc_now()
    with open_store(settings) as sessions, sessions() as session:
        data = {
            "sources": [_source(settings, name, session, now) for name in sorted(settings.sources)],
            "other_runs": [r for r in recent_runs(session, None, 5) if r["kind"] == "undo"],
        }
    emit(data, as_json, _print_status)


def _print_api(api: dict[str, Any]) -> None:
    org = "not reported yet"
    if api["org_limit"] is not None:
        org = f"{api['org_remaining']:,} of {api['org_limit']:,} left ({api['reported_at']})"
    click.echo(
        f"  API: {api['calls_today']} calls today; "
        f"org allowance {org}; leadloop's share {api['budget_share']:.0%}"
    )
    last = api.get("last_run")
    if last is not None:
        spent = ", ".join(f"{op} {n}" for op, n in last["by_operation"].items())
        outcome = "changed something" if last["changed"] else "changed nothing"
        click.echo(
            f"  last run {last['id']} ({last['kind']}): {last['calls']} API calls"
            + (f" ({spent})" if spent else "")
            + f", read {last['read']} records, {outcome}"
        )


def _print_status(data: dict[str, Any]) -> None:
    from sync.store.summary import CALLS_BY

    for src in data["sources"]:
        cursor = src["cursor"]["modstamp"] if src["cursor"] else "never synced"
        click.echo(f"{src['source']}: {src['leads']} leads, cursor {cursor}")
        if src["schedule"]:
            click.echo(f"  schedule: {src['schedule']}, next run {src['next_run_at']}")
        last = src["last_outcome"]
        if last:
            error = f": {last['error']}" if last["error"] else ""
            click.echo(f"  last run {last['id']} ({last['kind']}): {last['state']}{error}")
            if last.get("held"):
                click.echo(
                    f"  writes to {last['held']} records wait for approval: "
                    f"`leadloop outbox --run {last['id']}`, then `leadloop approve {last['id']}`"
                )
        held = src["held_by"]
        if held:
            click.echo(f"  being synced by worker {held['worker']} since {held['since']}")
        _print_api(src["api"])
        outbox = ", ".join(f"{k} {v}" for k, v in sorted(src["outbox"].items())) or "empty"
        click.echo(f"  outbox: {outbox}")
        found = ", ".join(f"{k} {v}" for k, v in sorted(src["findings"].items())) or "none"
        click.echo(f"  open findings: {found}")
        for run in src["runs"]:
            counts = ", ".join(
                f"{k} {v}" for k, v in run["counts"].items() if not k.startswith(CALLS_BY)
            )
            dry = " (dry run)" if run["dry_run"] else ""
            click.echo(
                f"  run {run['id']} {run['kind']}{dry} {run['state']} "
                f"{run['started_at']}: {counts}"
                + (f" error: {run['error']}" if run["error"] else "")
            )
