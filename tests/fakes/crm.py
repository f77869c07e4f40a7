"""An in-memory CRM: the server side of the fake connector (:mod:`tests.fakes.connector`).

It holds Salesforce-shaped Lead records (field API names, wire-format datetimes) with their
modification stamps, deletes and merges; it knows its picklists; it answers the requests a
connector sends, counts them per operation, logs every record write, runs a test's hook just
before the next request of an operation, and fails requests or record writes on demand.

Every change moves the record's stamp to the CRM clock's current second, and at least one
second past its previous stamp, so an edit is always visible to a conflict check and a window.
"""

from __future__ import annotations

import threading
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from connectors.base import OutcomeStatus, SourceRecord

#: request faults the connector retries (one failed request each), as the real connectors'
#: one retry layer does with 429, 5xx and dropped connections
RETRIED_FAULTS = frozenset({"http429", "http503", "drop"})
#: call faults: ``transient`` (retries ran out: TransientError), ``fatal`` (FatalError),
#: ``limit`` (the daily allowance is spent: LimitExhausted, never retried)
CALL_FAULTS = frozenset({"transient", "fatal", "limit"})
ONE_SECOND = timedelta(seconds=1)
Hook = Callable[[], object]  # what it returns is ignored


def wire(moment: datetime) -> str:
    """``2026-01-05T09:00:00.000+0000``: a Salesforce REST datetime."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + f".{moment.microsecond // 1000:03d}+0000"


@dataclass
class FakeRecord:
    """One record as the CRM stores it; ``values`` holds every field but the system ones."""

    record_id: str
    values: dict[str, Any]
    modstamp: datetime
    deleted: bool = False
    merged_into: str | None = None

    def fields(self) -> dict[str, Any]:
        """The record as the API returns it: values plus Id, stamp, delete and merge fields."""
        return {
            **self.values,
            "Id": self.record_id,
            "SystemModstamp": wire(self.modstamp),
            "IsDeleted": self.deleted,
            "MasterRecordId": self.merged_into,
        }

    def source_record(self) -> SourceRecord:
        return SourceRecord(
            self.record_id, self.modstamp, self.fields(), self.deleted, self.merged_into
        )


@dataclass(frozen=True)
class LoggedWrite:
    """One record write the CRM accepted: what changed, the values before, the new stamp."""

    record_id: str
    changes: Mapping[str, str | None]
    before: Mapping[str, Any]
    modstamp: datetime


@dataclass(frozen=True)
class ScriptedOutcome:
    """A record-level answer to the next write of a record (RETRY, DEAD or CONFLICT)."""

    status: OutcomeStatus
    message: str


@dataclass
class _Scripts:
    faults: dict[str, deque[str | None]] = field(default_factory=lambda: defaultdict(deque))
    outcomes: dict[str, deque[ScriptedOutcome]] = field(default_factory=lambda: defaultdict(deque))
    hooks: dict[str, list[Hook]] = field(default_factory=lambda: defaultdict(list))


class FakeCrm:
    """The CRM's state. ``options`` maps restricted picklist fields to their values."""

    def __init__(self, clock: Callable[[], datetime], options: Mapping[str, frozenset[str]]):
        self.clock = clock
        self.options = dict(options)
        self.records: dict[str, FakeRecord] = {}
        self.requests: Counter[str] = Counter()  # requests answered, by operation
        self.write_log: list[LoggedWrite] = []
        self.served: dict[str, list[str]] = defaultdict(list)  # operation -> record ids read
        self._scripts = _Scripts()
        self._lock = threading.RLock()  # the engine reads from a prefetch thread
        self._sequence = 0

    # -- seeding and people in the CRM UI (no API request) --------------------------------

    def add(self, values: Mapping[str, Any], modstamp: datetime | None = None) -> str:
        """Create a record (stamped ``modstamp``, else now) and return its new id."""
        with self._lock:
            self._sequence += 1
            record_id = f"00Q{self._sequence:012d}AAA"
            stamp = modstamp or self._now()
            self.records[record_id] = FakeRecord(record_id, dict(values), stamp)
            return record_id

    def human_edit(self, record_id: str, values: Mapping[str, Any]) -> datetime:
        """Change fields as a person would; the stamp moves even when nothing changes."""
        with self._lock:
            record = self.records[record_id]
            record.values.update(values)
            return self._bump(record)

    def delete(self, record_id: str) -> datetime:
        """Move the record to the recycle bin (it is still read, flagged deleted)."""
        with self._lock:
            self.records[record_id].deleted = True
            return self._bump(self.records[record_id])

    def merge(self, loser: str, master: str) -> datetime:
        """Merge ``loser`` into ``master``: the loser is deleted and names its master."""
        with self._lock:
            self.records[loser].merged_into = master
            return self.delete(loser)

    def raw(self, record_id: str) -> dict[str, Any]:
        """The record's current fields (no API request)."""
        with self._lock:
            return self.records[record_id].fields()

    # -- test control -------------------------------------------------------------------

    def fail(self, operation: str, kind: str, times: int = 1, skip: int = 0) -> None:
        """Fail the next ``times`` requests of ``operation``, after letting ``skip`` pass."""
        if kind not in RETRIED_FAULTS | CALL_FAULTS:
            raise ValueError(f"unknown fault kind {kind!r}")
        with self._lock:
            self._scripts.faults[operation].extend([None] * skip + [kind] * times)

    def answer(self, record_id: str, status: OutcomeStatus, message: str, times: int = 1) -> None:
        """Answer the next ``times`` writes of the record with ``status`` (nothing written)."""
        with self._lock:
            self._scripts.outcomes[record_id].extend([ScriptedOutcome(status, message)] * times)

    def before_next(self, operation: str, hook: Hook) -> None:
        """Run ``hook`` once, just before the next request of ``operation`` is answered."""
        with self._lock:
            self._scripts.hooks[operation].append(hook)

    # -- the API side (the fake connector's requests) ------------------------------------

    def request(self, operation: str) -> str | None:
        """Count one request of ``operation``; its injected fault kind, or None to answer it.
        A faulted request is not answered, so a hook waits for the next one."""
        with self._lock:
            self.requests[operation] += 1
            queued = self._scripts.faults.get(operation)
            fault = queued.popleft() if queued else None
            hooks = [] if fault else self._scripts.hooks.pop(operation, [])
        for hook in hooks:
            hook()
        return fault

    def select(self, operation: str, keep: Callable[[FakeRecord], bool]) -> list[SourceRecord]:
        """The matching records, ascending by (modstamp, id), as read at this instant."""
        with self._lock:
            found = [r for r in self.records.values() if keep(r)]
            found.sort(key=lambda r: (r.modstamp, r.record_id))
            self.served[operation] += [r.record_id for r in found]
            return [r.source_record() for r in found]

    def scripted(self, record_id: str) -> ScriptedOutcome | None:
        """The scripted answer to this write of ``record_id``, if any (consumed)."""
        with self._lock:
            queued = self._scripts.outcomes.get(record_id)
            return queued.popleft() if queued else None

    def update(self, record_id: str, changes: Mapping[str, str | None]) -> datetime:
        """Apply a connector's write to one record; log it; return the new stamp."""
        with self._lock:
            record = self.records[record_id]
            before = {name: record.values.get(name) for name in changes}
            record.values.update(changes)
            stamp = self._bump(record)
            self.write_log.append(LoggedWrite(record_id, dict(changes), before, stamp))
            return stamp

    def _now(self) -> datetime:
        return self.clock().replace(microsecond=0)

    def _bump(self, record: FakeRecord) -> datetime:
        record.modstamp = max(self._now(), record.modstamp + ONE_SECOND)
        return record.modstamp
