"""``leadloop outbox`` and ``leadloop approve RUN_ID``: see the queued writes, release the ones
the change budget holds."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Any

import click

from sync.cli.base import (
    config_option,
    guarded,
    load,
    open_store,
    parse_wait,
    sources_option,
    utc_now,
    wait_option,
)

STATES = ("pending", "retry", "conflict", "dead", "sent")
WAITING = ("pending", "retry", "conflict", "dead")


def format_option(func: Any) -> Any:
    """``--json`` / ``--csv`` (default: lines for a human)."""
    func = click.option("--csv", "as_csv", is_flag=True, help="Print data as CSV.")(func)
    return click.option("--json", "as_json", is_flag=True, help="Print data as JSON.")(func)


def print_rows(rows: list[dict[str, Any]], as_json: bool, as_csv: bool, human: Any) -> None:
    """``rows`` as a JSON array, CSV with a header, or through ``human``."""
    if as_json and as_csv:
        raise click.UsageError("give at most one of --json and --csv")
    if as_json:
        click.echo(json.dumps(rows, indent=2, default=str, ensure_ascii=False))
    elif as_csv:
        if rows:
            writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    else:
        human(rows)


def _show(value: str | None) -> str:
    return "(empty)" if value is None else repr(value)


def _human_outbox(rows: list[dict[str, Any]]) -> None:
    if not rows:
        click.echo("no outbox items match")
        return
    for row in rows:
        note = f"  ({row['error']})" if row["error"] and row["state"] != "sent" else ""
        click.echo(
            f"{row['id']:>8} {row['state']:<8} {row['source']}/{row['record']}  {row['field']}: "
            f"{_show(row['old'])} -> {_show(row['new'])}  [{row['policy']}, run {row['run_id']}]"
            + note
        )
    click.echo(f"{len(rows)} items", err=True)


@click.command("outbox")
@config_option
@sources_option
@click.option(
    "--state",
    "states",
    multiple=True,
    type=click.Choice(STATES),
    help="Only items in this state (repeatable; default: every state but sent).",
)
@click.option("--run", "run_id", type=int, help="Only the items this run enqueued.")
@format_option
@guarded
def outbox(
    config_path: Path | None,
    sources: tuple[str, ...],
    states: tuple[str, ...],
    run_id: int | None,
    as_json: bool,
    as_csv: bool,
) -> None:
    """List queued writes: record, field, old -> new value, the policy, state, run, error.

    Pending and retry items wait to be written (above limits.change_budget until
    `leadloop approve RUN_ID`); conflict items were skipped because a person changed the record;
    dead items failed for good.
    """
    from sync.store.review import outbox_rows
    from sync.store.states import OutboxState

    settings = load(config_path)
    wanted = [OutboxState(s) for s in states or WAITING]
    with open_store(settings) as sessions, sessions() as session:
        rows = list(outbox_rows(session, sources, wanted, run_id))
    print_rows(rows, as_json, as_csv, _human_outbox)


def _held_source(session: Any, run_id: int) -> str:
    from sync.store import runs

    run = runs.get_run(session, run_id)
    if run is None:
        raise click.UsageError(f"no run {run_id} (see `leadloop status`)")
    if run.source is None or run.kind not in ("sync", "resync") or not run.counts.get("held"):
        raise click.UsageError(
            f"run {run_id} held no writes for approval (approve the run whose message said "
            "the change budget held its writes; see `leadloop status`)"
        )
    return run.source


@click.command("approve")
@config_option
@click.argument("run_id", type=int)
@wait_option
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@guarded
def approve(config_path: Path | None, run_id: int, wait: str, as_json: bool) -> None:
    """Write the writes run RUN_ID held above limits.change_budget (review them first with
    `leadloop outbox --run RUN_ID`).

    Releases every write of that source that waited when the run ended; writes queued by later
    runs still need their own approval. The writes form a run of their own (kind approve),
    revertible with `leadloop undo`. Exit 3 if another run holds the source.
    """
    from sync.lease import Worker
    from sync.pipeline.cycle import source_lease
    from sync.pipeline.engine import Engine
    from sync.pipeline.sources import open_sources
    from sync.store.review import approval_watermark

    settings = load(config_path)
    delay = parse_wait(wait)
    with open_store(settings) as sessions:
        with sessions() as session:
            source = _held_source(session, run_id)
            through = approval_watermark(session, source, run_id)
        if through is None:
            raise click.UsageError(f"nothing run {run_id} held is still waiting")
        engine = Engine(settings, sessions, utc_now, worker=Worker.current())
        with (
            open_sources(settings, [source]) as opened,
            source_lease(sessions, source, engine.worker, utc_now, delay) as held,
        ):
            report = engine.release(opened[source], through, held.ensure)
    data = {"approved_run": run_id, "source": source, "run_id": report.run_id, **report.counts}
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    counts = ", ".join(f"{k} {v}" for k, v in report.counts.items())
    click.echo(f"{source}: approved run {run_id}: run {report.run_id}: {counts}")
    click.echo(f"revert with `leadloop undo {report.run_id}`", err=True)
