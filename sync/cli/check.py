"""``leadloop check`` and ``leadloop config schema``: validate a config, describe its schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from sync.cli.base import EXIT_CONFIG, EXIT_FAILED, config_option, emit, guarded, json_option, load


@click.command()
@config_option
@click.option(
    "--connect",
    is_flag=True,
    help=(
        "Also open the store and log in to every source, checking the mapped fields exist "
        "and take the values leadloop writes (exit 2 otherwise)."
    ),
)
@json_option
@guarded
def check(config_path: Path | None, connect: bool, as_json: bool) -> None:
    """Validate the config and its mappings (offline unless --connect).

    Exit 0 when all is well, 2 for config problems (every one listed, with file, line and key)
    and, with --connect, for a mapping whose fields leadloop cannot write (each named), 1 when
    --connect cannot reach the store or a source.
    """
    from sync.config.settings import ConfigError, resolve_config_path

    path = resolve_config_path(config_path)
    result: dict[str, Any] = {"config": str(path), "valid": True, "problems": []}
    try:
        settings = load(config_path)
    except ConfigError as exc:
        if not as_json:
            raise
        result.update(valid=False, problems=[_issue(issue) for issue in exc.errors])
        click.echo(json.dumps(result, indent=2))
        raise click.exceptions.Exit(EXIT_CONFIG) from None
    result["sources"] = sorted(settings.sources)
    if connect:
        result["problems"] = _connect(settings, result)
        result["valid"] = not result.get("unwritable")
    emit(result, as_json, _human)
    if result["problems"]:
        raise click.exceptions.Exit(EXIT_FAILED)
    if result.get("unwritable"):  # the mapping asks for writes the CRM's fields cannot take
        raise click.exceptions.Exit(EXIT_CONFIG)


def _issue(issue: Any) -> dict[str, Any]:
    return {"file": issue.file, "line": issue.line, "key": issue.key_path, "message": issue.message}


def _connect(settings: Any, result: dict[str, Any]) -> list[str]:
    """Open the store and log in to each source; the problems found, each named."""
    from sync.logs import redact, summarize
    from sync.pipeline.sources import open_sources
    from sync.pipeline.writability import write_problems
    from sync.store.db import current_revision, head_revision, make_engine, safe_url
    from sync.store.errors import StoreError

    problems = []
    try:
        engine = make_engine(settings.store.dsn)
        try:
            revision = current_revision(engine)
        finally:
            engine.dispose()
        result["store"] = {"url": safe_url(engine), "revision": revision, "head": head_revision()}
    except StoreError as exc:
        problems.append(f"store: {redact(str(exc))}")
    with open_sources(settings) as sources:
        for name, source in sources.items():
            try:
                source.connector.check()
                unwritable = write_problems(source.mapping, source.connector)
            except Exception as exc:
                problems.append(f"{source.describe()}: {redact(str(exc)) or summarize(exc)}")
            else:
                result.setdefault("connected", []).append(name)
                result.setdefault("unwritable", []).extend(f"{name}: {p}" for p in unwritable)
    return problems


def _human(result: dict[str, Any]) -> None:
    names = result["sources"]
    verdict = "OK" if result["valid"] else "NOT VALID"
    line = f"{result['config']}: {verdict} ({len(names)} sources: {', '.join(names) or 'none'})"
    store = result.get("store")
    if store is not None:
        state = store["revision"] or "not initialised: run `leadloop db upgrade`"
        line += f" - store {store['url']} at {state}"
    if "connected" in result:
        line += f" - reached {', '.join(result['connected'])}"
    click.echo(line)
    for problem in result["problems"]:
        click.echo(f"error: {problem}", err=True)
    if result.get("unwritable"):
        click.echo(f"{result['config']}: leadloop cannot write:", err=True)
        for problem in result["unwritable"]:
            click.echo(f"  {problem}", err=True)


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
