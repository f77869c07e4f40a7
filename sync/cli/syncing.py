"""``leadloop sync`` and ``leadloop resync``: one cycle per source, and on-demand re-pulls."""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from sync.cli.base import (
    RunFailed,
    config_option,
    emit,
    guarded,
    json_option,
    load,
    open_store,
    progress,
    sources_option,
    utc_now,
)
from sync.logs import redact
from sync.pipeline.sources import open_sources

log = logging.getLogger("leadloop")


def _print_diff(report: Any) -> None:
    if not report.planned:
        click.echo(f"{report.source}: no changes")
        return
    click.echo(f"{report.source}: {len(report.planned)} changes would be written")
    for write in report.planned:
        old = "(empty)" if write.old_value is None else repr(write.old_value)
        new = "(clear)" if write.new_value is None else repr(write.new_value)
        click.echo(f"  {write.external_id}  {write.crm_field}: {old} -> {new}  [{write.policy}]")


def _run_sources(
    config_path: Path | None, names: tuple[str, ...], request: Any, as_json: bool
) -> None:
    from sync.pipeline.engine import Engine, failure_message

    settings = load(config_path)
    unknown = sorted(set(names) - set(settings.sources))
    if unknown:
        raise click.UsageError(
            f"no source named {', '.join(unknown)} (configured: "
            f"{', '.join(sorted(settings.sources)) or 'none'})"
        )
    reports, failed = [], []
    with open_store(settings) as sessions, open_sources(settings, list(names) or None) as sources:
        engine = Engine(settings, sessions, utc_now, progress)
        for source in sources.values():
            try:
                reports.append(engine.sync(source, request))
            except Exception as exc:  # one source's failure never stops another's cycle
                message = redact(failure_message(exc))
                failed.append(f"{source.name}: {message}")
                log.error("%s", message)
                log.debug("%s: cycle failed", source.name, exc_info=True)
    if sys.stderr.isatty():
        click.echo("", err=True)
    data = [
        {
            "source": r.source,
            "run_id": r.run_id,
            "counts": r.counts,
            "changes": (
                [vars(w) for w in r.planned] if request.dry_run else r.counts.get("corrections", 0)
            ),
        }
        for r in reports
    ]

    def human(_: Any) -> None:
        for report in reports:
            if request.dry_run:
                _print_diff(report)
            else:
                counts = ", ".join(f"{k} {v}" for k, v in report.counts.items())
                click.echo(f"{report.source}: run {report.run_id}: {counts}")

    emit(data, as_json, human)
    if failed:
        raise RunFailed("; ".join(failed))


@click.command("sync")
@config_option
@sources_option
@click.option("--dry-run", is_flag=True, help="Pull and evaluate, print the diff, write nothing.")
@click.option(
    "--allow-mass-change", is_flag=True, help="Write back even above limits.change_budget."
)
@json_option
@guarded
def sync_command(
    config_path: Path | None,
    sources: tuple[str, ...],
    dry_run: bool,
    allow_mass_change: bool,
    as_json: bool,
) -> None:
    """One incremental cycle: pull changes, apply policies, write corrections back."""
    from sync.pipeline.engine import SyncRequest

    _run_sources(
        config_path,
        sources,
        SyncRequest(dry_run=dry_run, allow_mass_change=allow_mass_change),
        as_json,
    )


@click.command()
@config_option
@click.option("--source", "source", required=True, help="The source to resync.")
@click.option("--full", is_flag=True, help="Every record (Bulk API 2.0 above bulk_threshold).")
@click.option(
    "--since",
    type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S%z"]),
    help="Records modified since this time (UTC unless an offset is given).",
)
@click.option("--ids", help="Comma-separated record ids.")
@click.option("--dry-run", is_flag=True, help="Print the diff, write nothing.")
@click.option(
    "--allow-mass-change", is_flag=True, help="Write back even above limits.change_budget."
)
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
    as_json: bool,
) -> None:
    """Re-pull a source on demand: --full, --since ISO or --ids ID,... (exactly one)."""
    from sync.pipeline.engine import SyncMode, SyncRequest

    chosen = [
        name for name, value in (("--full", full), ("--since", since), ("--ids", ids)) if value
    ]
    if len(chosen) != 1:
        raise click.UsageError("give exactly one of --full, --since or --ids")
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    id_list = [i.strip() for i in (ids or "").split(",") if i.strip()]
    if ids is not None and not id_list:
        raise click.UsageError("--ids needs at least one record id")
    mode: SyncMode = "full" if full else "since" if since else "ids"
    request = SyncRequest(
        mode=mode, since=since, ids=id_list, dry_run=dry_run, allow_mass_change=allow_mass_change
    )
    _run_sources(config_path, (source,), request, as_json)
