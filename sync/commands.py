"""The pipeline verbs of ``leadloop``: sandbox, demo, sync, resync, status, undo."""

from __future__ import annotations

import json
import logging
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from sqlalchemy.orm import Session, sessionmaker

from connectors.base import ConnectorError
from sync.cli import RunFailed, cli, config_option, emit, guarded, json_option, load
from sync.logs import redact
from sync.pipeline.sources import open_sources

log = logging.getLogger("leadloop")


@cli.command()
@click.option(
    "--salesforce-port",
    type=click.IntRange(0, 65535),
    default=8765,
    show_default=True,
    help="Port of the Salesforce emulator (0: any free port).",
)
@click.option(
    "--hubspot-port",
    type=click.IntRange(0, 65535),
    default=8766,
    show_default=True,
    help="Port of the HubSpot emulator (0: any free port).",
)
@click.option(
    "--leads",
    type=click.IntRange(0),
    default=200,
    show_default=True,
    help="Salesforce leads to seed.",
)
@click.option(
    "--contacts",
    type=click.IntRange(0),
    default=120,
    show_default=True,
    help="HubSpot contacts to seed.",
)
@click.option("--seed", type=int, default=42, show_default=True, help="Seed of the messy data.")
@click.option(
    "--faults",
    "faults_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help='JSON file: {"salesforce": {fault plan}, "hubspot": {fault plan}}.',
)
@click.option(
    "--state-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Load emulator state from here at start and save it at exit.",
)
def sandbox(
    salesforce_port: int,
    hubspot_port: int,
    leads: int,
    contacts: int,
    seed: int,
    faults_file: Path | None,
    state_dir: Path | None,
) -> None:
    """Serve the Salesforce and HubSpot emulators on loopback until interrupted.

    Point a config at them with instance_url/login_url http://127.0.0.1:PORT (Salesforce,
    user admin@leadloop.sandbox, password sandbox-password, token sandbox-token) and
    base_url http://127.0.0.1:PORT (HubSpot, token pat-sandbox-token). Fault plans follow
    connectors/sandbox/faults.py.
    """
    from connectors.sandbox.runner import Sandbox, SandboxOptions

    faults: dict[str, Any] = json.loads(faults_file.read_text()) if faults_file else {}
    options = SandboxOptions(
        leads=leads,
        contacts=contacts,
        seed=seed,
        faults=faults,
        salesforce_port=salesforce_port,
        hubspot_port=hubspot_port,
        state_dir=state_dir,
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with Sandbox(options) as box:
        click.echo(f"Salesforce emulator: {box.salesforce_url}  ({leads} leads)")
        click.echo(f"HubSpot emulator:    {box.hubspot_url}  ({contacts} contacts)")
        click.echo("Press Ctrl+C to stop.")
        try:
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass


# --------------------------------------------------------------------------------------------
# sync, resync, status, undo
# --------------------------------------------------------------------------------------------


def utc_now() -> datetime:
    return datetime.now(UTC)


def _progress(label: str) -> Callable[[int], None]:
    """A live counter on a terminal, plain log lines otherwise."""
    seen = [0]
    live = sys.stderr.isatty()

    def tick(n: int) -> None:
        seen[0] += n
        if live:
            click.echo(f"\r{label}: {seen[0]:,} records", err=True, nl=False)
        else:
            log.info("%s: %d records", label, seen[0])

    return tick


@contextmanager
def open_store(settings: Any) -> Iterator[sessionmaker[Session]]:
    """Sessions on the configured store, refusing an out-of-date schema."""
    from sync.store.db import check_schema, make_engine, session_factory

    engine = make_engine(settings.store.dsn)
    try:
        check_schema(engine, f"leadloop db upgrade -c {settings.path or '<config>'}")
        yield session_factory(engine)
    finally:
        engine.dispose()


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
    from sync.pipeline.engine import ChangeBudgetExceeded, Engine

    settings = load(config_path)
    unknown = sorted(set(names) - set(settings.sources))
    if unknown:
        raise click.UsageError(
            f"no source named {', '.join(unknown)} (configured: "
            f"{', '.join(sorted(settings.sources)) or 'none'})"
        )
    reports, failed = [], []
    with open_store(settings) as sessions, open_sources(settings, list(names) or None) as sources:
        engine = Engine(settings, sessions, utc_now, _progress)
        for source in sources.values():
            try:
                reports.append(engine.sync(source, request))
            except (ChangeBudgetExceeded, ConnectorError) as exc:
                failed.append(f"{source.name}: {redact(str(exc))}")
                log.error("%s", redact(str(exc)))
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


def _sources_option(func: Any) -> Any:
    return click.option(
        "--source", "sources", multiple=True, help="Only this source (repeatable; default: all)."
    )(func)


@cli.command("sync")
@config_option
@_sources_option
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


@cli.command()
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
    from sync.pipeline.engine import Mode, SyncRequest

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
    mode: Mode = "full" if full else "since" if since else "ids"
    request = SyncRequest(
        mode=mode, since=since, ids=id_list, dry_run=dry_run, allow_mass_change=allow_mass_change
    )
    _run_sources(config_path, (source,), request, as_json)


@cli.command()
@config_option
@json_option
@guarded
def status(config_path: Path | None, as_json: bool) -> None:
    """Per source: cursor, recent runs, outbox by state, open findings by policy."""
    from sync.pipeline.status import status as collect

    settings = load(config_path)
    with open_store(settings) as sessions, sessions() as session:
        data = collect(session, sorted(settings.sources))
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


@cli.command()
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


@cli.command()
@click.option(
    "--leads",
    type=click.IntRange(1),
    default=200,
    show_default=True,
    help="Salesforce leads to seed.",
)
@click.option(
    "--contacts",
    type=click.IntRange(1),
    default=120,
    show_default=True,
    help="HubSpot contacts to seed.",
)
@click.option("--seed", type=int, default=42, show_default=True, help="Seed of the messy data.")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to keep the demo's config and store (default: a new temp folder).",
)
@guarded
def demo(leads: int, contacts: int, seed: int, directory: Path | None) -> None:
    """Seed both sandboxes with messy leads and run one full loop on a temporary SQLite store.

    Prints what was wrong, what was fixed in each CRM and what was flagged for a human.
    Nothing is left running.
    """
    from sync.demo import render, run_demo

    story = run_demo(leads=leads, contacts=contacts, seed=seed, directory=directory)
    for line in render(story):
        click.echo(line)
