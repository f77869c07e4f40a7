"""``leadloop findings`` and ``leadloop lead SOURCE ID``: what the policies flagged, and one
lead's whole story (fields, status history, findings, outbox items)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from sync.cli.base import config_option, guarded, load, open_store, sources_option
from sync.cli.outbox import format_option, print_rows


def _human_findings(rows: list[dict[str, Any]]) -> None:
    if not rows:
        click.echo("no findings match")
        return
    for row in rows:
        where = f" {row['field']}" if row["field"] else ""
        state = f" (resolved {row['resolved_at']})" if row["resolved_at"] else ""
        click.echo(
            f"{row['source']}/{row['record']}  {row['policy']}.{row['code']}{where}: "
            f"{row['message']}  [since {row['first_seen_at']}]{state}"
        )
    click.echo(f"{len(rows)} findings", err=True)


@click.command("findings")
@config_option
@sources_option
@click.option("--policy", "policies", multiple=True, help="Only this policy (repeatable).")
@click.option("--lead", "lead", metavar="ID", help="Only this record id.")
@click.option("--all", "include_resolved", is_flag=True, help="Resolved findings too.")
@format_option
@guarded
def findings(
    config_path: Path | None,
    sources: tuple[str, ...],
    policies: tuple[str, ...],
    lead: str | None,
    include_resolved: bool,
    as_json: bool,
    as_csv: bool,
) -> None:
    """List open findings (what the policies flagged for a human), newest first."""
    from sync.store.review import finding_rows

    settings = load(config_path)
    with open_store(settings) as sessions, sessions() as session:
        rows = list(finding_rows(session, sources, policies, lead, include_resolved))
    print_rows(rows, as_json, as_csv, _human_findings)


def _human_lead(data: dict[str, Any]) -> None:
    click.echo(f"{data['source']}/{data['record']}")
    for name, value in data["fields"].items():
        if value not in (None, False, ""):
            click.echo(f"  {name}: {value}")
    click.echo("status history:")
    for change in data["history"]:
        click.echo(f"  {change['changed_at']}  {change['from'] or '(new)'} -> {change['to']}")
    click.echo("findings:" + ("" if data["findings"] else " none"))
    for row in data["findings"]:
        state = "resolved" if row["resolved_at"] else "open"
        where = f" {row['field']}" if row["field"] else ""
        click.echo(f"  [{state}] {row['policy']}.{row['code']}{where}: {row['message']}")
    click.echo("outbox:" + ("" if data["outbox"] else " none"))
    for row in data["outbox"]:
        click.echo(
            f"  {row['state']:<8} {row['field']}: {row['old']!r} -> {row['new']!r} "
            f"[{row['policy']}, run {row['run_id']}]"
        )


@click.command("lead")
@config_option
@click.argument("source")
@click.argument("record_id")
@click.option("--json", "as_json", is_flag=True, help="Print data as JSON.")
@guarded
def lead(config_path: Path | None, source: str, record_id: str, as_json: bool) -> None:
    """One lead as the store knows it: fields, status history, findings, outbox items."""
    from sync.store.review import lead_detail

    settings = load(config_path)
    if source not in settings.sources:
        raise click.UsageError(
            f"no source named {source} (configured: {', '.join(sorted(settings.sources))})"
        )
    with open_store(settings) as sessions, sessions() as session:
        data = lead_detail(session, source, record_id)
    if data is None:
        raise click.UsageError(
            f"{source} has no lead {record_id} in the store (sync it first, or "
            f"`leadloop resync --source {source} --ids {record_id}`)"
        )
    if as_json:
        click.echo(json.dumps(data, indent=2, default=str, ensure_ascii=False))
    else:
        _human_lead(data)
