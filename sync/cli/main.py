"""The ``leadloop`` console script: the root group with every verb registered explicitly."""

from __future__ import annotations

import click

from sync.cli import check, db, feedback, outbox, review, run, sandbox, status, syncing, undo
from sync.cli.base import cli

COMMANDS: tuple[click.Command, ...] = (
    sandbox.demo,
    sandbox.sandbox,
    check.check,
    check.config,
    db.db,
    syncing.sync_command,
    syncing.resync,
    run.run_command,
    status.status,
    undo.undo,
    outbox.outbox,
    outbox.approve,
    review.findings,
    review.lead,
    feedback.feedback_command,
    feedback.report_command,
)

for command in COMMANDS:
    cli.add_command(command)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="leadloop")
