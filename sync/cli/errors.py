"""Exit codes and the one place that turns any error into a message and an exit code.

0 ok; 1 the run failed; 2 bad config or usage; 3 another run holds the source; 4 stopped: the
CRM's daily API allowance (or leadloop's share of it) is spent; 5 writes wait for approval (the
change budget); 130 interrupted (Ctrl-C), 143 terminated (SIGTERM). No traceback ever reaches a
user: unexpected errors print one line, the traceback goes to the log at debug level.
"""

from __future__ import annotations

import logging
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

import click

from sync import logs

log = logging.getLogger("leadloop")

EXIT_OK, EXIT_FAILED, EXIT_CONFIG, EXIT_BUSY, EXIT_STOPPED, EXIT_HELD = 0, 1, 2, 3, 4, 5
EXIT_INTERRUPTED, EXIT_TERMINATED = 130, 143


class Problem(click.ClickException):
    """A message for the user (stderr, ``error:`` prefix) and its exit code."""

    exit_code = EXIT_FAILED
    prefix = "error: "

    def show(self, file: Any = None) -> None:
        click.echo(f"{self.prefix}{self.format_message()}", err=True)


class ConfigProblem(Problem):
    """Bad configuration: printed as is, exit code 2."""

    exit_code = EXIT_CONFIG
    prefix = ""


class RunFailed(Problem):
    exit_code = EXIT_FAILED


class SourceBusy(Problem):
    exit_code = EXIT_BUSY
    prefix = "busy: "


class LimitStop(Problem):
    exit_code = EXIT_STOPPED
    prefix = "stopped: "


class Interrupted(Problem):
    exit_code = EXIT_INTERRUPTED
    prefix = "interrupted: "


class TerminatedProblem(Problem):
    exit_code = EXIT_TERMINATED
    prefix = "terminated: "


class Terminated(BaseException):
    """SIGTERM arrived: unwinds like Ctrl-C, so the running run is marked aborted."""


def _terminate(signum: int, _frame: FrameType | None) -> None:
    raise Terminated(signum)


@contextmanager
def sigterm_unwinds() -> Iterator[None]:
    """During the block SIGTERM raises :class:`Terminated` in the main thread."""
    try:
        previous = signal.signal(signal.SIGTERM, _terminate)
    except ValueError:  # not the main thread (e.g. a test runner's worker): leave it be
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def translate(exc: BaseException) -> click.ClickException | None:
    """The user-facing problem for ``exc`` (None: let it through as it is)."""
    from connectors.base import ConnectorError, LimitExhausted
    from sync.config.settings import ConfigError
    from sync.lease import LeaseBusy
    from sync.store.errors import DatabaseError, StoreError

    if isinstance(exc, click.ClickException | click.exceptions.Exit | click.Abort):
        return None
    if isinstance(exc, KeyboardInterrupt):
        return Interrupted("Ctrl-C: the run under way, if any, was marked aborted")
    if isinstance(exc, Terminated):
        return TerminatedProblem("SIGTERM: the run under way, if any, was marked aborted")
    if isinstance(exc, ConfigError):
        return ConfigProblem(str(exc))
    if isinstance(exc, LeaseBusy):
        return SourceBusy(str(exc))
    if isinstance(exc, LimitExhausted):
        return LimitStop(logs.redact(str(exc)))
    if isinstance(exc, StoreError | ConnectorError):
        return RunFailed(logs.redact(str(exc)))
    if isinstance(exc, DatabaseError):
        return RunFailed(f"database error: {logs.summarize(exc)}")
    if isinstance(exc, Exception):
        log.debug("unexpected error", exc_info=exc)
        return RunFailed(
            f"unexpected error: {logs.summarize(exc)} (rerun with --log-level debug for details)"
        )
    return None


class Group(click.Group):
    """The root group: every verb runs under the one top-level handler."""

    def invoke(self, ctx: click.Context) -> Any:
        with sigterm_unwinds():
            try:
                return super().invoke(ctx)
            except BaseException as exc:
                problem = translate(exc)
                if problem is None:
                    raise
                raise problem from None
