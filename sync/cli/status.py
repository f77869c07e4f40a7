"""``leadloop status``: cursors, recent runs, the outbox and open findings per source."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from sync.cli.base import config_option, emit, guarded, json_option, load, open_store


@click.command()
@config_option
@json_option
@guarded
def status(config_path: Path | None, as_json: bool) -> None:
    """Per source: cursor, recent runs, outbox by state, open findings by policy."""
    from sync.pipeline.engine import STREAM
    from sync.store.summary import recent_runs, source_summary

    settings = load(config_path)
    with open_store(settings) as sessions, sessions() as session:
        data = {
            "sources": [source_summary(session, name, STREAM) for name in sorted(settings.sources)],
            "other_runs": [r for r in recent_runs(session, None, 5) if r["kind"] == "undo"],
        }
    emit(data, as_json, _print_status)


def _print_status(data: dict[str, Any]) -> None:
    for src in data["sources"]:
        cursor = src["cursor"]["modstamp"] if src["cursor"] else "never synced"
        click.echo(f"{src['source']}: {src['leads']} leads, cursor {cursor}")
        outbox = ", ".join(f"{k} {v}" for k, v in sorted(src["outbox"].items())) or "empty"
        click.echo(f"  outbox: {outbox}")
        found = ", ".join(f"{k} {v}" for k, v in sorted(src["findings"].items())) or "none"
        click.echo(f"  open findings: {found}")
        for run in src["runs"]:
            counts = ", ".join(f"{k} {v}" for k, v in run["counts"].items())
            dry = " (dry run)" if run["dry_run"] else ""
            click.echo(
                f"  run {run['id']} {run['kind']}{dry} {run['state']} "
                f"{run['started_at']}: {counts}"
                + (f" error: {run['error']}" if run["error"] else "")
            )
