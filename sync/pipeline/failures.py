"""What a failed cycle says: one line a user can read and the store can keep.

leadloop's own errors (a connector's, the change budget's, a lost run's) already say what
failed and what to do. Anything else is unexpected: a database error keeps its driver's first
line (never the SQL or its parameters, which hold lead data), any other error its type and
first line; the traceback goes to the debug log. The text is made printable and storable
(:func:`~sync.pipeline.clean.printable`): an error quoting CRM data may hold half a surrogate
pair, which could neither be printed nor stored in the run's row.
"""

from __future__ import annotations

from connectors.base import ConnectorError
from sync.pipeline.clean import printable
from sync.store.errors import driver_error

#: what the user can do about an unexpected error
BUG_HINT = "rerun with --log-level debug for the details and report it"


def describe(exc: BaseException, expected: tuple[type[BaseException], ...] = ()) -> str:
    """One printable line for ``exc``; ``expected`` are error types whose message is shown
    whole (besides :class:`ConnectorError`)."""
    if isinstance(exc, (ConnectorError, *expected)):
        return printable(str(exc))
    cause = driver_error(exc)
    if cause is not None:
        return printable(f"store error: {type(cause).__name__}: {_first_line(cause)}")
    return printable(f"{type(exc).__name__}: {_first_line(exc)} ({BUG_HINT})")


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else "(no message)"
