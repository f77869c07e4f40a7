"""Where an incremental pull starts and ends, and when it lists deletions.

A pull reads the half-open window ``[start, end)`` of the CRM's modstamps; ``end`` is our
clock when the run starts, fixed for the whole run. Once every page of the window is stored,
the stream's cursor becomes ``(end, "")``: every record stamped before ``end`` was stored, and
the empty id sorts before every id stamped at ``end`` itself. The next window starts ``lookback``
before that: at the previous run's window end, not at the newest record seen. (Measured from
the newest record, a sync that wrote corrections back would re-read its own write burst on
every run until someone else edits a record: 27,631 leads and 4,692 contacts a run on the
issue's 100k org.)

Why ``previous end - lookback`` loses nothing the old anchor caught. The newest record seen is
always before the previous end, so the old start was never later than the new one; the
records in between were read by the previous run, and the overlap exists only for records the
previous read could not see yet. Those are:

* records the search index had not caught up with (HubSpot search shows a write "a few
  moments" later): stamped at most the index lag before our read, and our read came after
  ``end``, so they are stamped after ``end - lag``;
* records stamped by a CRM clock running behind ours: a record saved just after our read may
  carry a stamp up to the skew before ``end``;
* records whose transaction committed after our read, stamped when it began.

Each lies within ``lookback`` of the previous anchor as long as ``lookback`` covers the lag
(5 minutes for Salesforce, 10 for HubSpot by default) and the anchor is in the CRM's clock
(below). A CRM clock running *ahead* of ours loses nothing: its records stamped at or after
``end`` wait for the next window. Same-second stamps (Salesforce stamps whole seconds) are
compared as the CRM stores them, and ``end`` is exclusive, so a record stamped in ``end``'s
own second is read next time. Tie-breaking on the record id only orders records within a run
(:class:`connectors.base.Cursor`); between runs the overlap re-reads whole seconds.

The CRM's clock is read from its answers (the ``Date`` header of the pull's first answer,
whole seconds, so never later than the clock that stamped what the answer holds): the anchor
is the earlier of that and ``end``. A CRM clock running behind ours by more than the lookback
would otherwise stamp records saved just after our read before ``end - lookback``, and they
would never be read. (The old anchor, the newest record seen, was in the CRM's clock too.)

A crash between two pages leaves the cursor at the last stored page's last record (it commits
with the page), and the next window starts ``lookback`` before that record: the unread rest of
the interrupted window is read again. The cursor becomes ``(end, "")`` only after the last
page, in the transaction that closes the pull.

Deletions that cost calls of their own (HubSpot's archived contacts, one call per 100 of them)
are listed on a schedule (``pull.deletions_every``): when the last listing, kept as the cursor
of the ``leads.deletions`` stream so that the schedule survives restarts, is that old, or was
never made. A listing hands out the deletions since the last listing's end minus the lookback,
so none is lost in between; it is recorded once the pull is complete. A resync always lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from connectors.base import NO_DELETIONS, Cursor, Deletions, Window
from sync.store import cursors

STREAM = "leads"
DELETIONS_STREAM = "leads.deletions"


@dataclass(frozen=True)
class IncrementalPull:
    """One incremental pull: its window, and the deletions it lists (None: the connector's
    default, for a CRM whose changes hold its deletions)."""

    window: Window
    deletions: Deletions | None

    @property
    def lists_deletions(self) -> bool:
        """Whether this pull lists deletions on their schedule (then recorded when done)."""
        return self.deletions is not None and self.deletions.listed


def incremental_window(cursor: Cursor | None, end: datetime, lookback: timedelta) -> Window:
    """``[cursor - lookback, end)`` (see the module docstring for why the cursor is the
    previous window's end once a pull completed). No cursor: everything up to ``end``."""
    if cursor is None:
        return Window(None, end)
    start = min(cursor.modstamp - lookback, end - timedelta(seconds=1))
    return Window(start, end)


def plan_incremental(
    session: Session, source: str, now: datetime, lookback: timedelta, every: timedelta | None
) -> IncrementalPull:
    """The window of ``source``'s next incremental pull, and whether its deletions are due
    (``every``: the source's deletions schedule, None when they come with the changes)."""
    window = incremental_window(_cursor(session, source, STREAM), now, lookback)
    if every is None:
        return IncrementalPull(window, None)
    listed = cursors.get_cursor(session, source, DELETIONS_STREAM)
    if listed is None:
        return IncrementalPull(window, Deletions(since=None))
    # the schedule runs on our clock (when we listed), the range on the CRM's (its stamps)
    last = cursors.window_end(session, source, DELETIONS_STREAM) or listed.modstamp
    if now - last < every:
        return IncrementalPull(window, NO_DELETIONS)
    return IncrementalPull(window, Deletions(since=listed.modstamp - lookback))


def finish_incremental(
    session: Session, source: str, pull: IncrementalPull, crm_now: datetime | None
) -> None:
    """The whole window of ``pull`` is stored: the next one starts from its end, or from the
    CRM's clock when it answered the pull (``crm_now``) if that was earlier; and the deletions
    listed up to there are recorded. Same transaction as the pull's last work.

    Without ``crm_now`` (a connector that does not tell the CRM's clock) the cursor stays at
    the last record read, which is in the CRM's clock by nature."""
    end = pull.window.end
    anchor = end if crm_now is None else min(end, crm_now)
    done = cursors.Position(anchor, "")
    if crm_now is not None:
        cursors.set_cursor(session, source, STREAM, done, end, window_end=end)
    if pull.lists_deletions:
        cursors.set_cursor(session, source, DELETIONS_STREAM, done, end, window_end=end)


def _cursor(session: Session, source: str, stream: str) -> Cursor | None:
    position = cursors.get_cursor(session, source, stream)
    return None if position is None else Cursor(position.modstamp, position.record_id)
