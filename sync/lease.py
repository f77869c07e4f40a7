"""Holding a lease while a job runs: one run per source (or per job) across every worker.

Every command that syncs, resyncs, approves or undoes a source holds the lease
``sync:<source>``; the scheduler's cycles hold the same one. A lease is short (:data:`LEASE_TTL`)
and renewed by a heartbeat thread while the job runs, with expiry on the database's clock
(``sync.store.leases``), so a worker that dies frees its sources within a minute and workers
whose clocks disagree still agree. A worker has a stable name (``--worker-id``,
``$LEADLOOP_WORKER_ID``, else the host name): a restarted worker finds its own lease held by a
dead earlier process of itself and takes it back at once. A worker that loses its lease (a
long stall, another worker took over) stops before its next write: call
:meth:`HeldLease.ensure` before each one. A command that waits for a lease (``sync --wait``)
queues for it (the lease ``<name>:next``, renewed at each poll): nobody else takes the lease
while it waits, so workers cycling back to back cannot starve it.

Another job reuses this as is: ``with hold_lease(sessions, "feedback", worker) as held:``.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from sync.store.leases import LeaseInfo, acquire_lease, lease_info, release_lease, store_now

log = logging.getLogger(__name__)

#: how long a lease lasts without renewal: how long a dead worker's sources stay blocked
LEASE_TTL = timedelta(seconds=60)
#: how long a waiting command's place in the queue lasts at least unless renewed (its polls)
QUEUE_TTL = timedelta(seconds=5)
#: environment variable naming this worker (default: the host name)
WORKER_ENV = "LEADLOOP_WORKER_ID"


@dataclass(frozen=True)
class Worker:
    """Who holds leases: a stable ``name`` plus this process (host, pid, a random token)."""

    name: str
    host: str
    pid: int
    token: str = field(default_factory=lambda: secrets.token_hex(3))

    @classmethod
    def current(cls, name: str | None = None) -> Worker:
        """This process, named ``name``, else ``$LEADLOOP_WORKER_ID``, else the host name."""
        host = socket.gethostname()
        return cls(name or os.environ.get(WORKER_ENV) or host, host, os.getpid())

    @property
    def instance(self) -> str:
        """This process's lease and run identity: ``name@host:pid/token``."""
        return f"{self.name}@{self.host}:{self.pid}/{self.token}"

    def earlier_self(self, holder: str, instance: str) -> bool:
        """Whether ``instance`` (holding for ``holder``) is a dead earlier process of this worker.

        Same name, and: on this host, its pid no longer runs (or is ours: a restarted
        container); on another host, the same name (a worker name names one worker).
        """
        if holder != self.name or instance == self.instance:
            return False
        where = instance.rsplit("@", 1)[-1].split("/", 1)[0]
        host, _, pid = where.rpartition(":")
        if host != self.host:
            return True
        return not pid.isdigit() or int(pid) == self.pid or not _alive(int(pid))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


class LeaseBusy(Exception):
    """Another worker holds the lease (after waiting as long as allowed)."""

    def __init__(self, what: str, info: LeaseInfo | None, queued: LeaseInfo | None = None):
        since = info.acquired_at or info.expires_at if info else None
        who = f"worker {info.holder}" if info else "another worker"
        stamp = f" since {since:%Y-%m-%d %H:%M:%S} UTC" if since else ""
        text = f"{what} by {who}{stamp}"
        if queued is not None:
            text += f"; worker {queued.holder} waits for it next"
        super().__init__(text)
        self.info = info


class LeaseLost(Exception):
    """The lease ran out and another worker took it: stop before writing anything more."""


@dataclass
class HeldLease:
    """A lease this worker holds; :meth:`ensure` before each write."""

    sessions: sessionmaker[Session]
    name: str
    worker: Worker
    ttl: timedelta
    lost: threading.Event = field(default_factory=threading.Event)

    def renew(self, session: Session | None = None) -> bool:
        """Renew the lease (in ``session``'s transaction, else in a transaction of its own)."""
        if session is not None:
            worker = self.worker
            return acquire_lease(session, self.name, worker.name, worker.instance, self.ttl)
        with self.sessions() as own:
            held = self.renew(own)
            own.commit()
        return held

    def ensure(self, session: Session | None = None) -> None:
        """Renew the lease now; raise :class:`LeaseLost` if it is no longer this worker's.

        Given the ``session`` about to commit, the renewal commits with it: on SQLite, a
        second connection could not write while that session holds the write lock.
        """
        if self.lost.is_set() or not self.renew(session):
            self.lost.set()
            raise LeaseLost(
                f"lease {self.name} was taken over by another worker (this one stalled past "
                f"{self.ttl.total_seconds():g} s); stopping before any further write"
            )


def _queue_name(name: str) -> str:
    return f"{name}:next"


def _queued(session: Session, name: str, worker: Worker) -> LeaseInfo | None:
    """Another process waiting for lease ``name`` (it goes first), else None."""
    queued = lease_info(session, _queue_name(name))
    if queued is None or queued.instance == worker.instance:
        return None
    return queued if queued.expires_at > store_now(session) else None


def _take(
    sessions: sessionmaker[Session], name: str, worker: Worker, ttl: timedelta
) -> tuple[bool, LeaseInfo | None, LeaseInfo | None]:
    """Try once; return (taken, who held it before, who waits for it first)."""
    with sessions() as session:
        queued = _queued(session, name, worker)
        if queued is not None:
            return False, lease_info(session, name), queued
        before = lease_info(session, name)
        back = (
            before.instance
            if before and worker.earlier_self(before.holder, before.instance)
            else None
        )
        taken = acquire_lease(session, name, worker.name, worker.instance, ttl, take_back_from=back)
        session.commit()
        if not taken:
            before = lease_info(session, name)
    return taken, before, None


def _queue(
    sessions: sessionmaker[Session], name: str, worker: Worker, poll: float, leave: bool = False
) -> None:
    """Take (or keep, until three polls from now) the first place in the queue for lease
    ``name``; ``leave`` gives it up."""
    with sessions() as session:
        if leave:
            release_lease(session, _queue_name(name), worker.instance)
        else:
            ttl = max(QUEUE_TTL, timedelta(seconds=3 * poll))
            acquire_lease(session, _queue_name(name), worker.name, worker.instance, ttl)
        session.commit()


Takeover = Callable[[Session, str], None]


def _acquire(
    sessions: sessionmaker[Session],
    name: str,
    worker: Worker,
    what: str,
    wait: timedelta,
    ttl: timedelta,
    poll: float,
) -> LeaseInfo | None:
    deadline = time.monotonic() + wait.total_seconds()
    queued_here = False
    try:
        while True:
            taken, before, queued = _take(sessions, name, worker, ttl)
            if taken:
                return before
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise LeaseBusy(what, before, queued)
            _queue(sessions, name, worker, poll)
            queued_here = True
            log.info("%s; waiting up to %.0f s more", LeaseBusy(what, before, queued), remaining)
            time.sleep(min(poll, remaining))
    finally:
        if queued_here:
            _queue(sessions, name, worker, poll, leave=True)


@contextmanager
def hold_lease(
    sessions: sessionmaker[Session],
    name: str,
    worker: Worker,
    *,
    what: str | None = None,
    wait: timedelta = timedelta(0),
    ttl: timedelta = LEASE_TTL,
    on_takeover: Takeover | None = None,
    poll: float = 1.0,
) -> Iterator[HeldLease]:
    """Hold lease ``name`` during the block, renewed every third of ``ttl``, released after.

    Waits up to ``wait`` for another holder, then raises :class:`LeaseBusy` (its message:
    ``what`` by worker W since T). ``on_takeover(session, instance)`` runs when the lease is
    taken from another process (expired, or a dead earlier self), e.g. to mark its runs dead.
    """
    before = _acquire(sessions, name, worker, what or f"lease {name} is held", wait, ttl, poll)
    if before is not None and before.instance != worker.instance and on_takeover is not None:
        with sessions() as session:
            on_takeover(session, before.instance)
            session.commit()
    held = HeldLease(sessions, name, worker, ttl)
    done = threading.Event()
    renewer = threading.Thread(target=_renew_loop, args=(held, done), daemon=True, name=name)
    renewer.start()
    try:
        yield held
    finally:
        done.set()
        renewer.join()
        with sessions() as session:
            release_lease(session, name, worker.instance)
            session.commit()


def _renew_loop(held: HeldLease, done: threading.Event) -> None:
    while not done.wait(held.ttl.total_seconds() / 3):
        try:
            if not held.renew():
                log.warning("lease %s was taken over by another worker", held.name)
                held.lost.set()
                return
        except Exception as exc:  # retried at the next interval; expiry decides
            log.warning("lease %s not renewed: %s: %s", held.name, type(exc).__name__, exc)
