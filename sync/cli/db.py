"""``leadloop db upgrade``: create or migrate the store."""

from __future__ import annotations

from pathlib import Path

import click

from sync.cli.base import config_option, guarded, load


@click.group()
def db() -> None:
    """Database maintenance."""


@db.command("upgrade")
@config_option
@guarded
def db_upgrade(config_path: Path | None) -> None:
    """Create or migrate the store's schema to this version of leadloop."""
    from sync.store.db import make_engine, upgrade

    settings = load(config_path)
    engine = make_engine(settings.store.dsn)
    try:
        applied = upgrade(engine)
    finally:
        engine.dispose()
    url = engine.url.render_as_string(hide_password=True)
    click.echo(f"{url}: " + (f"applied {', '.join(applied)}" if applied else "already up to date"))
