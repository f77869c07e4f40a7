"""``leadloop sandbox`` and ``leadloop demo``: the emulators on loopback, and one full loop."""

from __future__ import annotations

import json
import signal
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from sync.cli.base import guarded

F = TypeVar("F", bound=Callable[..., Any])


def quirk_option(func: F) -> F:
    """``--quirk-off NAME`` (repeatable): a realistic behaviour of an emulator to switch off."""
    from connectors.sandbox.runner import known_quirks

    names = known_quirks()
    return click.option(
        "--quirk-off",
        "quirks_off",
        multiple=True,
        type=click.Choice(sorted(names)),
        help="Switch off one realistic behaviour of the emulators (repeatable); everything "
        "else stays as strict as the live APIs. Names: " + ", ".join(names) + ".",
    )(func)


@click.command()
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
@quirk_option
def sandbox(
    salesforce_port: int,
    hubspot_port: int,
    leads: int,
    contacts: int,
    seed: int,
    faults_file: Path | None,
    state_dir: Path | None,
    quirks_off: tuple[str, ...],
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
        quirks_off=frozenset(quirks_off),
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


@click.command()
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
@quirk_option
@guarded
def demo(
    leads: int, contacts: int, seed: int, directory: Path | None, quirks_off: tuple[str, ...]
) -> None:
    """Seed both sandboxes with messy leads and run one full loop on a temporary SQLite store.

    Prints what was wrong, what was fixed in each CRM and what was flagged for a human.
    Nothing is left running.
    """
    from sync.demo import render, run_demo

    story = run_demo(
        leads=leads,
        contacts=contacts,
        seed=seed,
        directory=directory,
        quirks_off=frozenset(quirks_off),
    )
    for line in render(story):
        click.echo(line)
