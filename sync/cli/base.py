"""What every ``leadloop`` verb shares: the root group, options, errors, exit codes, the store.

Exit codes: 0 ok, 1 the run failed, 2 bad config or usage. Logs go to stderr; data (``--json``)
goes to stdout. Every verb takes ``-c/--config`` (default ``$LEADLOOP_CONFIG`` or
``./leadloop.yaml``).
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click
from sqlalchemy.orm import Session, sessionmaker

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
        from sync.config.settings import ConfigError
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
    from sync.config.settings import load_settings, resolve_config_path

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


def utc_now() -> datetime:
    return datetime.now(UTC)


def progress(label: str) -> Callable[[int], None]:
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


def sources_option(func: Any) -> Any:
    return click.option(
        "--source", "sources", multiple=True, help="Only this source (repeatable; default: all)."
    )(func)
