"""``leadloop check`` and ``leadloop config schema``: validate a config, describe its schema."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from sync.cli.base import ConfigProblem, config_option, emit, guarded, json_option, load


@click.command()
@config_option
@click.option(
    "--connect", is_flag=True, help="Also log in to every source and check the mapped fields exist."
)
@json_option
@guarded
def check(config_path: Path | None, connect: bool, as_json: bool) -> None:
    """Validate the config and its mappings (offline unless --connect)."""
    from sync.config.settings import resolve_config_path

    path = resolve_config_path(config_path)
    settings = load(config_path)
    result: dict[str, Any] = {
        "config": str(path),
        "valid": True,
        "sources": sorted(settings.sources),
    }
    if connect:
        from sync.pipeline.sources import open_sources
        from sync.pipeline.writability import write_problems

        problems: list[str] = []
        with open_sources(settings) as sources:
            for name, source in sources.items():
                source.connector.check()
                problems += [
                    f"{name}: {p}" for p in write_problems(source.mapping, source.connector)
                ]
                result.setdefault("connected", []).append(name)
        if problems:
            raise ConfigProblem("\n".join([f"{path}: leadloop cannot write:", *problems]))
    emit(
        result,
        as_json,
        lambda r: click.echo(
            f"{r['config']}: OK ({len(r['sources'])} sources: {', '.join(r['sources']) or 'none'})"
            + (" - connectivity OK" if connect else "")
        ),
    )


@click.group()
def config() -> None:
    """Config helpers."""


@config.command("schema")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("config/leadloop.schema.json"),
    show_default=True,
    help="Where to write the JSON Schema ('-' for stdout).",
)
def config_schema(output: Path) -> None:
    """Write the config's JSON Schema (for editor autocompletion and validation)."""
    from sync.config.settings import schema_text

    text = schema_text()
    if str(output) == "-":
        click.echo(text, nl=False)
        return
    folder = output.parent.resolve()
    if not folder.is_dir():
        raise click.UsageError(
            f"cannot write {output}: there is no folder {folder} (run from the repository root, "
            "or give -o FILE, or -o - for stdout)"
        )
    output.write_text(text, encoding="utf-8")
    click.echo(f"wrote {output}", err=True)
