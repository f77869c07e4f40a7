"""``leadloop undo RUN_ID``: write a run's before-values back, conflict-checked."""

from __future__ import annotations

from contextlib import ExitStack
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
    parse_wait,
    utc_now,
    wait_option,
)
from sync.pipeline.sources import open_sources


@click.command()
@config_option
@click.argument("run_id", type=int)
@wait_option
@json_option
@guarded
def undo(config_path: Path | None, run_id: int, wait: str, as_json: bool) -> None:
    """Revert what run RUN_ID wrote, skipping records edited since.

    Holds the lease of every source it writes to (exit 3 if another run holds one).
    """
    from sync.pipeline.undo import UndoError, undo_run

    settings = load(config_path)
    delay = parse_wait(wait)
    with open_store(settings) as sessions, open_sources(settings) as sources:
        try:
            report = _undo(settings, sessions, sources, run_id, delay, undo_run)
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


def _undo(
    settings: Any, sessions: Any, sources: Any, run_id: int, delay: Any, undo_run: Any
) -> Any:
    """``undo_run`` under the leases of the sources the run wrote to (taken in name order)."""
    from sync.lease import Worker
    from sync.pipeline.cycle import source_lease
    from sync.pipeline.undo import undoable

    with sessions() as session:
        names = sorted({item.source for item in undoable(session, run_id)})
    worker = Worker.current()
    with ExitStack() as stack:
        held = [
            stack.enter_context(source_lease(sessions, name, worker, utc_now, delay))
            for name in names
        ]

        def guard(session: Any) -> None:
            for lease in held:
                lease.ensure(session)

        return undo_run(sessions, sources, run_id, utc_now, guard, worker.instance)
