"""The sources a long-running daemon keeps built from cycle to cycle.

A fresh connector must log in before its first query: on Salesforce that is a SOAP login or an
OAuth token request, one of the two calls a no-change cycle would cost. The daemon
(``leadloop run``) therefore builds each source once, on its first cycle, and lends the same
source to every later cycle, so the logged-in session (and the cached describe) carry over and a
no-change cycle costs its one query. The session lives in this process's memory only, never in
the store: a session id is a secret.

Rules:

- one cycle at a time: a source is lent to one thread and lent again only once it is back (the
  scheduler runs one instance of a source's job at a time; a second loan raises
  :class:`SourceInUse` rather than share a connector between threads);
- per-run accounting: each loan starts the connector's :class:`~connectors.base.ApiUsage` over
  (calls, calls by operation, the CRM's clock), so a run's figures are that run's alone; the
  allowance the CRM reported carries over;
- a cycle that fails drops the source (its connector is closed): the next cycle builds a fresh
  one and logs in again. A cycle that raises one of ``keep_on`` (the daemon's: the spent
  allowance, another worker's lease) keeps it;
- a session the CRM would have timed out is not used: a source whose session the CRM last
  counted active at least its lifetime ago (less :data:`SESSION_MARGIN`; activity counts only
  from halfway through the lifetime, as Salesforce counts it) has its session closed before
  the cycle, which then logs in up front (2 calls, not a refused call + login + call);
- cached field definitions go stale when an admin edits the fields: they are dropped once they
  are :data:`SCHEMA_MAX_AGE` old, and after a cycle whose write-back had a write refused for
  good (a ``dead`` outbox item: an unknown field, a value a picklist no longer takes);
- :meth:`KeptSources.close` closes every kept connector (the daemon calls it when it stops).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from connectors.base import ExpiringSession, LimitExhausted, SchemaCache
from sync.config.settings import Settings
from sync.pipeline.sources import Source, build_source

log = logging.getLogger(__name__)

#: how long a kept connector trusts its cached field definitions (describe, properties)
SCHEMA_MAX_AGE = timedelta(hours=1)
#: a session this close to its idle timeout counts as expired (clocks differ, cycles take time)
SESSION_MARGIN = timedelta(minutes=1)
#: what a cycle may raise and still leave its source's connector fit for the next cycle
KEEP_ON: tuple[type[BaseException], ...] = (LimitExhausted,)


class SourceInUse(RuntimeError):
    """A source was asked for while another thread holds it (never shared)."""


class SourcesClosed(RuntimeError):
    """A source was asked for after :meth:`KeptSources.close` (the daemon is stopping)."""


@dataclass
class _Kept:
    source: Source
    schema_since: datetime
    lent: bool = False
    #: when the CRM last counted the session active, as far as we can tell (None: no session)
    active_since: datetime | None = None
    cycle_started: datetime | None = None


class KeptSources:
    """Sources built on first use and kept for the next cycles (see the module docstring)."""

    def __init__(
        self,
        settings: Settings,
        clock: Callable[[], datetime],
        keep_on: tuple[type[BaseException], ...] = KEEP_ON,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.keep_on = keep_on
        self._kept: dict[str, _Kept] = {}
        self._lock = threading.Lock()
        self._closed = False

    def kept(self) -> list[str]:
        """Names of the sources kept built right now."""
        with self._lock:
            return sorted(self._kept)

    @contextmanager
    def lend(self, name: str) -> Iterator[Source]:
        """``name``'s source for one cycle: kept, or built now. A cycle that raises anything but
        ``keep_on`` drops it (closed; the next cycle builds a fresh one)."""
        kept = self._take(name)
        try:
            self._prepare(kept)
            yield kept.source
        except self.keep_on:
            self._give_back(name, kept)
            raise
        except BaseException:
            self._drop(name, kept, "its cycle failed")
            raise
        self._give_back(name, kept)

    def forget_schema(self, name: str) -> None:
        """Drop ``name``'s cached field definitions (a write was refused for good); called
        by the cycle that holds the source."""
        with self._lock:
            kept = self._kept.get(name)
        if kept is not None:
            self._refresh(kept, self.clock())

    def close(self) -> list[str]:
        """Close every kept connector (those lent out are closed when they come back); the
        names of the sources closed now."""
        with self._lock:
            self._closed = True
            idle = [(name, kept) for name, kept in self._kept.items() if not kept.lent]
        for name, kept in idle:
            self._drop(name, kept, "the daemon stops")
        return sorted(name for name, _ in idle)

    def _take(self, name: str) -> _Kept:
        with self._lock:
            if self._closed:  # nothing would close a connector built now
                raise SourcesClosed(f"source {name} not started: the daemon is stopping")
            kept = self._kept.get(name)
            if kept is not None and kept.lent:
                raise SourceInUse(f"source {name} is in a cycle in another thread")
            if kept is None:
                now = self.clock()
                kept = self._kept[name] = _Kept(build_source(self.settings, name), now)
            kept.lent = True
            return kept

    def _prepare(self, kept: _Kept) -> None:
        """Ready a lent source for its cycle: stale definitions and a timed-out session
        dropped, the usage counted from zero."""
        now = self.clock()
        if now - kept.schema_since >= SCHEMA_MAX_AGE:
            self._refresh(kept, now)
        if _timed_out(kept, now):
            kept.source.connector.close()  # the session only: the next call logs in
            kept.active_since = None
        kept.cycle_started = now
        kept.source.connector.usage.start_run()

    def _give_back(self, name: str, kept: _Kept) -> None:
        _note_activity(kept)
        with self._lock:
            kept.lent = False
            closed = self._closed
        if closed:
            self._drop(name, kept, "the daemon stops")

    def _drop(self, name: str, kept: _Kept, why: str) -> None:
        with self._lock:
            if self._kept.get(name) is kept:
                del self._kept[name]
        log.debug("%s: connector closed (%s)", name, why)
        kept.source.connector.close()

    @staticmethod
    def _refresh(kept: _Kept, now: datetime) -> None:
        connector = kept.source.connector
        if isinstance(connector, SchemaCache):
            connector.forget_schema()
        kept.schema_since = now


def _timed_out(kept: _Kept, now: datetime) -> bool:
    """Whether the CRM has (nearly) timed out the kept source's session while it sat idle."""
    connector = kept.source.connector
    if kept.active_since is None or not isinstance(connector, ExpiringSession):
        return False
    lifetime = connector.session_lifetime()
    return lifetime is not None and now - kept.active_since >= lifetime - SESSION_MARGIN


def _note_activity(kept: _Kept) -> None:
    """After a cycle: when the CRM now counts the session last active. Salesforce counts a
    session's activity only from halfway through its timeout ("the last active session time
    value isn't updated until halfway through the timeout period", Session Security Settings:
    https://help.salesforce.com/s/articleView?id=sf.admin_sessions.htm), so a cycle in the
    first half leaves the session's end where it was. Times are the cycle's start: earlier
    than any of its calls, so the estimate errs towards logging in up front."""
    connector, started = kept.source.connector, kept.cycle_started
    if started is None or not isinstance(connector, ExpiringSession):
        return
    lifetime = connector.session_lifetime()
    if connector.usage.by_operation.get("login") or kept.active_since is None:
        kept.active_since = started  # a new session: active from its login
    elif lifetime is None or started - kept.active_since >= lifetime / 2:
        kept.active_since = started
