"""``leadloop undo RUN_ID``: write a run's before-values back, conflict-checked."""

from __future__ import annotations

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
    utc_now,
)
from sync.pipeline.sources import open_sources


@click.command()
@config_option
@click.argument("run_id", type=int)
@json_option
@guarded
def undo(config_path: Path | None, run_id: int, as_json: bool) -> None:
    """Revert what run RUN_ID wrote, skipping records edited since."""
    from sync.pipeline.undo import UndoError, undo_run

    settings = load(config_path)
    with open_store(settings) as sessions, open_sources(settings) as sources:
        try:
            report = undo_run(sessions, sources, run_id, utc_now)
        except UndoError as exc:
            raise RunFailed(str(exc)) from exc

    def human(r: dict[str, Any]) -> None:
        click.echo(
            f"run {r['run_id']}: reverted {r['reverted']} records (undo run {r['undo_run_id']})"
        )
        for line in r["conflicts"]:
            click.echo(f"  skipped, edited since: {line}")
        for line in r["failed"]:
            click.echo(f"  failed: {line}")
        click.echo(
            "note: the next sync applies the policies again; set their mode to "
            "'report' first if the run's changes were unwanted."
        )

    emit(vars(report), as_json, human)
    if report.failed:
        raise RunFailed(f"{len(report.failed)} records could not be reverted")
