"""Stream cursors: where the next incremental pull of a source's stream resumes.

The store keeps its own :class:`Position` (modstamp, record id) rather than the connector
contract's cursor type: the store depends on nothing outside ``sync``.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy.orm import Session

from sync.store.models import SyncCursor


class Position(NamedTuple):
    """A stored stream position: every record at or before (modstamp, record_id) was stored."""

    modstamp: datetime
    record_id: str


def get_cursor(session: Session, source: str, stream: str) -> Position | None:
    """Where the next incremental pull of ``stream`` of ``source`` resumes (None: never)."""
    row = session.get(SyncCursor, (source, stream))
    return None if row is None else Position(row.modstamp, row.record_id)


def window_end(session: Session, source: str, stream: str) -> datetime | None:
    """The end (our clock) of the window that last moved the cursor of ``stream`` (None:
    never, or not recorded)."""
    row = session.get(SyncCursor, (source, stream))
    return None if row is None else row.window_end


def set_cursor(
    session: Session,
    source: str,
    stream: str,
    cursor: Position,
    now: datetime,
    window_end: datetime | None = None,
) -> None:
    """Save the cursor of ``stream`` of ``source``; it may never pass the run's window end."""
    if window_end is not None and cursor.modstamp > window_end:
        raise ValueError(
            f"cursor {cursor.modstamp.isoformat()} of {source}/{stream} is past the window end "
            f"{window_end.isoformat()}"
        )
    row = session.get(SyncCursor, (source, stream))
    if row is None:
        row = SyncCursor(source=source, stream=stream)
        session.add(row)
    row.modstamp, row.record_id = cursor.modstamp, cursor.record_id
    row.window_end, row.updated_at = window_end, now
