"""``leadloop sync`` and ``leadloop resync``: one cycle per source, and on-demand re-pulls.

Each source runs under its lease (one run per source, whoever starts it) and on its own: one
source's failure never stops another. The exit code is the worst outcome: 1 a source failed,
3 another run held a source, 4 a source stopped at its API allowance, 5 writes wait for
approval, else 0.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from sync.cli.base import (
    EXIT_BUSY,
    EXIT_FAILED,
    EXIT_HELD,
    EXIT_STOPPED,
    config_option,
    emit,
    guarded,
    json_option,
    load,
    open_store,
    parse_wait,
    sources_option,
    utc_now,
    wait_option,
)
from sync.cli.progress import progress_display

log = logging.getLogger("leadloop")
#: outcome -> exit code, worst first
_SEVERITY = {"failed": EXIT_FAILED, "busy": EXIT_BUSY, "stopped": EXIT_STOPPED, "held": EXIT_HELD}


@dataclass
class Outcome:
    """What one source's cycle came to, as ``--json`` prints it."""

    source: str
    state: str  # succeeded, held, failed, busy, stopped
    run_id: int | None = None
    counts: dict[str, int] = field(default_factory=dict)
    error: str | None = None
    changes: Any = None
    not_found: list[str] = field(default_factory=list)


def _diff(report: Any) -> None:
    if not report.planned:
        click.echo(f"{report.source}: no changes")
        return
    click.echo(f"{report.source}: {len(report.planned)} changes would be written")
    for write in report.planned:
        old = "(empty)" if write.old_value is None else repr(write.old_value)
        new = "(clear)" if write.new_value is None else repr(write.new_value)
        click.echo(f"  {write.external_id}  {write.crm_field}: {old} -> {new}  [{write.policy}]")


def _one(engine: Any, source: Any, request: Any, wait: Any) -> tuple[Outcome, Any]:
    """Run one source's cycle under its lease; never raises but for an interrupt."""
    from connectors.base import LimitExhausted
    from sync.lease import LeaseBusy
    from sync.logs import redact, summarize
    from sync.pipeline.cycle import leased_sync

    try:
        report = leased_sync(engine, source, request, wait)
    except LeaseBusy as exc:
        return Outcome(source.name, "busy", error=str(exc)), None
    except Exception as exc:
        last = engine.last_report
        state = "stopped" if isinstance(exc, LimitExhausted) else "failed"
        text = redact(str(exc)) if _named(exc) else summarize(exc)
        outcome = Outcome(source.name, state, error=f"{source.describe()}: {text}")
        if last is not None and last.source == source.name:
            outcome.run_id, outcome.counts = last.run_id, last.counts
        log.debug("%s failed", source.name, exc_info=True)
        return outcome, None
    state = "held" if report.held else "succeeded"
    outcome = Outcome(source.name, state, report.run_id, report.counts)
    if report.held is not None:
        outcome.error = report.held.message(source.name, report.run_id)
    outcome.not_found = _missing(request, report)
    outcome.changes = (
        [vars(w) for w in report.planned] if request.dry_run else report.counts.get("corrections")
    )
    return outcome, report


def _named(exc: Exception) -> bool:
    """Errors whose message is written for users (the connectors' and the store's)."""
    from connectors.base import ConnectorError
    from sync.store.errors import StoreError

    return isinstance(exc, ConnectorError | StoreError | ValueError)


def _missing(request: Any, report: Any) -> list[str]:
    """Ids of ``resync --ids`` the CRM did not return (15-character Salesforce ids match the
    18-character ones they abbreviate)."""
    found = set(report.found_ids)
    short = {i[:15] for i in found}
    return [i for i in request.ids if i not in found and not (len(i) == 15 and i in short)]


def _human(outcomes: list[Outcome], reports: list[Any], dry_run: bool) -> None:
    for outcome, report in zip(outcomes, reports, strict=True):
        if report is None:
            continue
        if dry_run:
            _diff(report)
        else:
            counts = ", ".join(f"{k} {v}" for k, v in outcome.counts.items())
            click.echo(f"{outcome.source}: run {outcome.run_id}: {counts}")


def _notes(outcomes: list[Outcome]) -> None:
    """What went wrong or waits, on stderr (also beside --json)."""
    labels = {"failed": "error", "busy": "busy", "stopped": "stopped", "held": "note"}
    for outcome in outcomes:
        if outcome.error:
            click.echo(f"{labels.get(outcome.state, 'note')}: {outcome.error}", err=True)
        if outcome.not_found:
            missing = ", ".join(outcome.not_found)
            click.echo(f"warning: {outcome.source}: not found: {missing}", err=True)


def _run_sources(
    config_path: Path | None, names: tuple[str, ...], request: Any, as_json: bool, wait: str
) -> None:
    from sync.lease import Worker
    from sync.pipeline.engine import Engine
    from sync.pipeline.sources import open_sources

    settings = load(config_path)
    delay = parse_wait(wait)
    unknown = sorted(set(names) - set(settings.sources))
    if unknown:
        raise click.UsageError(
            f"no source named {', '.join(unknown)} (configured: "
            f"{', '.join(sorted(settings.sources)) or 'none'})"
        )
    outcomes, reports = [], []
    with (
        open_store(settings) as sessions,
        open_sources(settings, list(names) or None) as sources,
        progress_display() as progress,
    ):
        engine = Engine(settings, sessions, utc_now, progress, worker=Worker.current())
        for source in sources.values():
            outcome, report = _one(engine, source, request, delay)
            outcomes.append(outcome)
            reports.append(report)
    emit([vars(o) for o in outcomes], as_json, lambda _: _human(outcomes, reports, request.dry_run))
    _notes(outcomes)
    codes = [_SEVERITY[o.state] for o in outcomes if o.state in _SEVERITY]
    if codes:
        raise click.exceptions.Exit(min(codes, key=list(_SEVERITY.values()).index))


@click.command("sync")
@config_option
@sources_option
@click.option("--dry-run", is_flag=True, help="Pull and evaluate, print the diff, write nothing.")
@click.option(
    "--allow-mass-change", is_flag=True, help="Write back even above limits.change_budget."
)
@wait_option
@json_option
@guarded
def sync_command(
    config_path: Path | None,
    sources: tuple[str, ...],
    dry_run: bool,
    allow_mass_change: bool,
    wait: str,
    as_json: bool,
) -> None:
    """One incremental cycle per source: pull changes, apply policies, write corrections back.

    Above limits.change_budget the writes wait for approval (exit 5): list them with
    `leadloop outbox`, release them with `leadloop approve RUN_ID`. Exit codes: 0 ok, 1 a
    source failed, 2 bad config or usage, 3 another run holds a source, 4 a source's daily API
    allowance is spent, 5 writes wait for approval.
    """
    from sync.pipeline.engine import SyncRequest

    request = SyncRequest(dry_run=dry_run, allow_mass_change=allow_mass_change)
    _run_sources(config_path, sources, request, as_json, wait)


@click.command()
@config_option
@click.option("--source", "source", required=True, help="The source to resync.")
@click.option("--full", is_flag=True, help="Every record (Bulk API 2.0 above bulk_threshold).")
@click.option(
    "--since",
    type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S%z"]),
    help="Records modified since this time in the past (UTC unless an offset is given).",
)
@click.option("--ids", help="Comma-separated record ids (unknown ids are reported).")
@click.option("--dry-run", is_flag=True, help="Print the diff, write nothing.")
@click.option(
    "--allow-mass-change", is_flag=True, help="Write back even above limits.change_budget."
)
@wait_option
@json_option
@guarded
def resync(
    config_path: Path | None,
    source: str,
    full: bool,
    since: datetime | None,
    ids: str | None,
    dry_run: bool,
    allow_mass_change: bool,
    wait: str,
    as_json: bool,
) -> None:
    """Re-pull a source on demand: --full, --since ISO or --ids ID,... (exactly one).

    Exit codes as for `leadloop sync`.
    """
    from sync.pipeline.engine import SyncMode, SyncRequest

    chosen = [
        name for name, value in (("--full", full), ("--since", since), ("--ids", ids)) if value
    ]
    if len(chosen) != 1:
        raise click.UsageError("give exactly one of --full, --since or --ids")
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    if since is not None and since >= utc_now():
        raise click.UsageError(f"--since {since.isoformat()} is in the future")
    id_list = [i.strip() for i in (ids or "").split(",") if i.strip()]
    if ids is not None and not id_list:
        raise click.UsageError("--ids needs at least one record id")
    mode: SyncMode = "full" if full else "since" if since else "ids"
    request = SyncRequest(
        mode=mode, since=since, ids=id_list, dry_run=dry_run, allow_mass_change=allow_mass_change
    )
    _run_sources(config_path, (source,), request, as_json, wait)
