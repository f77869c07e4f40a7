"""The ``leadloop`` command.

Exit codes: 0 ok, 1 the run failed, 2 bad config or usage. Logs go to stderr; data (``--json``)
goes to stdout. Every verb takes ``-c/--config`` (default ``$LEADLOOP_CONFIG`` or
``./leadloop.yaml``).
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from sync import logs

log = logging.getLogger("leadloop")
F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK, EXIT_FAILED, EXIT_CONFIG = 0, 1, 2


class ConfigProblem(click.ClickException):
    """Bad configuration: printed as is, exit code 2."""

    exit_code = EXIT_CONFIG

    def show(self, file: Any = None) -> None:
        click.echo(self.format_message(), err=True)


class RunFailed(click.ClickException):
    exit_code = EXIT_FAILED

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


def config_option(func: F) -> F:
    return click.option(
        "-c",
        "--config",
        "config_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Config file (default: $LEADLOOP_CONFIG, else ./leadloop.yaml).",
    )(func)


def json_option(func: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print data as JSON.")(func)


def guarded(func: F) -> F:
    """Turn the errors users can cause into clear messages and the documented exit codes."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from connectors.base import ConnectorError
        from sync.settings import ConfigError
        from sync.store.errors import SchemaOutOfDate, StoreError

        try:
            return func(*args, **kwargs)
        except ConfigError as exc:
            raise ConfigProblem(str(exc)) from exc
        except (SchemaOutOfDate, StoreError) as exc:
            raise RunFailed(logs.redact(str(exc))) from exc
        except ConnectorError as exc:
            raise RunFailed(logs.redact(str(exc))) from exc

    return wrapper  # type: ignore[return-value]


def load(config_path: Path | None) -> Any:
    """Settings from the resolved config file (ConfigError on any problem)."""
    from sync.settings import load_settings, resolve_config_path

    return load_settings(resolve_config_path(config_path))


def emit(data: Any, as_json: bool, human: Callable[[Any], None]) -> None:
    if as_json:
        click.echo(json.dumps(data, indent=2, default=str, ensure_ascii=False))
    else:
        human(data)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--log-level",
    type=click.Choice(["debug", "info", "warning", "error"]),
    default="info",
    show_default=True,
    help="Log verbosity (stderr).",
)
@click.option(
    "--log-format",
    type=click.Choice(["human", "json"]),
    default="human",
    show_default=True,
    help="Log line format.",
)
@click.version_option(package_name="leadloop")
def cli(log_level: str, log_format: str) -> None:
    """leadloop: keep lead disqualification reasons honest in Salesforce and HubSpot.

    \b
    First steps:
      leadloop demo                       one full loop against the built-in sandbox
      leadloop check -c leadloop.yaml     validate a config (exit 0, or 2 with every problem)
      leadloop db upgrade -c leadloop.yaml
      leadloop sync -c leadloop.yaml --dry-run
    """
    logs.configure(log_level, log_format)


@cli.command()
@config_option
@click.option(
    "--connect", is_flag=True, help="Also log in to every source and check the mapped fields exist."
)
@json_option
@guarded
def check(config_path: Path | None, connect: bool, as_json: bool) -> None:
    """Validate the config and its mappings (offline unless --connect)."""
    from sync.settings import resolve_config_path

    path = resolve_config_path(config_path)
    settings = load(config_path)
    result: dict[str, Any] = {
        "config": str(path),
        "valid": True,
        "sources": sorted(settings.sources),
    }
    if connect:
        from sync.pipeline.sources import open_sources

        with open_sources(settings) as sources:
            for name, source in sources.items():
                source.connector.check()
                result.setdefault("connected", []).append(name)
    emit(
        result,
        as_json,
        lambda r: click.echo(
            f"{r['config']}: OK ({len(r['sources'])} sources: {', '.join(r['sources']) or 'none'})"
            + (" - connectivity OK" if connect else "")
        ),
    )


@cli.group()
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
    from sync.settings import settings_json_schema

    text = json.dumps(settings_json_schema(), indent=2, sort_keys=True) + "\n"
    if str(output) == "-":
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)


@cli.group()
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


def fail(message: str, code: int = EXIT_FAILED) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="leadloop")


# The pipeline verbs live in their own module; importing it registers them on `cli`.
from sync import commands  # noqa: E402, F401

from sync import scheduler_cli  # noqa: E402, F401  # isort: skip
