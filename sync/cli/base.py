"""What every ``leadloop`` verb shares: the root group, options, the store, progress.

Exit codes and the top-level error handler live in :mod:`sync.cli.errors`. Logs go to stderr;
data (``--json``) goes to stdout. Every verb takes ``-c/--config`` (default
``$LEADLOOP_CONFIG`` or ``./leadloop.yaml``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click
from sqlalchemy.orm import Session, sessionmaker

from sync import logs
from sync.cli.errors import (
    EXIT_BUSY,
    EXIT_CONFIG,
    EXIT_FAILED,
    EXIT_HELD,
    EXIT_OK,
    EXIT_STOPPED,
    ConfigProblem,
    Group,
    Problem,
    RunFailed,
    translate,
)

log = logging.getLogger("leadloop")
F = TypeVar("F", bound=Callable[..., Any])

__all__ = [
    "EXIT_BUSY",
    "EXIT_CONFIG",
    "EXIT_FAILED",
    "EXIT_HELD",
    "EXIT_OK",
    "EXIT_STOPPED",
    "ConfigProblem",
    "Problem",
    "RunFailed",
]


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
    """Turn the errors users can cause into clear messages and the documented exit codes
    (the root group does the same for every verb; this keeps a verb safe on its own)."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except BaseException as exc:
            problem = translate(exc)
            if problem is None:
                raise
            raise problem from None

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


@click.group(
    cls=Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100}
)
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


def wait_option(func: F) -> F:
    return click.option(
        "--wait",
        "wait",
        default="0s",
        show_default=True,
        metavar="DURATION",
        help="When another run holds the source, wait this long for it (e.g. 90s, 5m), "
        "then exit 3. While it waits, scheduled cycles leave the source to it.",
    )(func)


def parse_wait(text: str) -> timedelta:
    """``--wait``'s duration (UsageError when it is not one)."""
    from connectors.durations import parse_duration

    try:
        value = parse_duration(text)
    except (ValueError, OverflowError) as exc:
        raise click.UsageError(f"--wait {text!r}: {exc}") from None
    if value < timedelta(0) or value > timedelta(days=1):
        raise click.UsageError(f"--wait {text!r}: give a duration from 0s to 24h")
    return value


def sources_option(func: Any) -> Any:
    return click.option(
        "--source", "sources", multiple=True, help="Only this source (repeatable; default: all)."
    )(func)
