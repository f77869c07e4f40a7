"""An in-memory CRM: the server side of the fake connector (:mod:`tests.fakes.connector`).

It holds Salesforce-shaped Lead records (field API names, wire-format datetimes) with their
modification stamps, deletes and merges; it knows its picklists; it serves the requests a
connector sends, counts them per operation, logs every record write, runs a test's hook just
before the next request of an operation is served, and fails requests or record writes on
demand: scripted, or a seeded storm over every operation (as the emulators' fault plans do).

Every change moves the record's stamp to the CRM clock's current second, and at least one
second past its previous stamp, so an edit is always visible to a conflict check and a window.
"""

from __future__ import annotations

import random
import threading
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from connectors.base import Correction, OutcomeStatus, SourceRecord, WriteOutcome

#: request faults the connector retries (one failed request each), as the real connectors'
#: one retry layer does with 429, 5xx and dropped connections
RETRIED_FAULTS = frozenset({"http429", "http503", "drop"})
#: answers without their documented shape (connectors/sandbox/server.py), retried too;
#: ``truncated`` is served first (a write is applied) and its answer cut on the way back
ODD_ANSWERS = frozenset({"empty", "html", "redirect", "truncated"})
SERVED_FAULTS = frozenset({"truncated"})
#: call faults: ``transient`` (retries ran out: TransientError), ``fatal`` (FatalError),
#: ``limit`` (the daily allowance is spent: LimitExhausted, never retried)
CALL_FAULTS = frozenset({"transient", "fatal", "limit"})
FAULT_KINDS = RETRIED_FAULTS | ODD_ANSWERS | CALL_FAULTS
ONE_SECOND = timedelta(seconds=1)
Hook = Callable[[], object]  # what it returns is ignored
T = TypeVar("T")


class RequestFailed(Exception):
    """What the connector sees of a failed request: its operation and the fault's kind."""

    def __init__(self, operation: str, kind: str) -> None:
        super().__init__(f"injected {kind} fault")
        self.operation = operation
        self.kind = kind


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
    storm: tuple[float, tuple[str, ...]] = (0.0, ())  # share of requests failed, kinds drawn
    rng: random.Random = field(default_factory=lambda: random.Random(0))


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

    def edit_within_stamp(self, record_id: str, values: Mapping[str, Any]) -> None:
        """Change fields as a person saving within the record's current stamp would (a save
        in the same second on a CRM with whole-second stamps): the stamp stays."""
        with self._lock:
            self.records[record_id].values.update(values)

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
        _known(kind)
        with self._lock:
            self._scripts.faults[operation].extend([None] * skip + [kind] * times)

    def storm(self, rate: float, kinds: Sequence[str], seed: int = 7) -> None:
        """From now on fail a share ``rate`` of all requests (scripted faults first), each
        with a kind drawn from ``kinds`` by a generator seeded with ``seed``; 0 ends it."""
        for kind in kinds:
            _known(kind)
        with self._lock:
            self._scripts.storm = (rate, tuple(kinds))
            self._scripts.rng = random.Random(seed)

    def answer(self, record_id: str, status: OutcomeStatus, message: str, times: int = 1) -> None:
        """Answer the next ``times`` writes of the record with ``status`` (nothing written)."""
        with self._lock:
            self._scripts.outcomes[record_id].extend([ScriptedOutcome(status, message)] * times)

    def before_next(self, operation: str, hook: Hook) -> None:
        """Run ``hook`` once, just before the next request of ``operation`` is served."""
        with self._lock:
            self._scripts.hooks[operation].append(hook)

    # -- the API side (the fake connector's requests) ------------------------------------

    def serve(self, operation: str, answer: Callable[[], T]) -> T:
        """One request of ``operation``, counted: ``answer()`` after the hooks due, or
        RequestFailed for an injected fault. A request failed before it is served runs no hook
        and no answer (the hook waits for the next one); a ``truncated`` one is served, then
        its answer is lost."""
        with self._lock:
            self.requests[operation] += 1
            fault = self._next_fault(operation)
            hooks = [] if _unserved(fault) else self._scripts.hooks.pop(operation, [])
        if _unserved(fault):
            raise RequestFailed(operation, str(fault))
        for hook in hooks:
            hook()
        result = answer()
        if fault is not None:
            raise RequestFailed(operation, fault)
        return result

    def select(self, operation: str, keep: Callable[[FakeRecord], bool]) -> list[SourceRecord]:
        """The matching records, ascending by (modstamp, id), as read at this instant."""
        with self._lock:
            found = [r for r in self.records.values() if keep(r)]
            found.sort(key=lambda r: (r.modstamp, r.record_id))
            self.served[operation] += [r.record_id for r in found]
            return [r.source_record() for r in found]

    def write_records(self, corrections: Sequence[Correction]) -> list[WriteOutcome]:
        """The answer to one update request, a result per record in order: a scripted answer,
        DEAD for a value a restricted picklist refuses, else written and logged. A request
        naming a record twice is refused whole (a connector bug: HubSpot refuses such a batch,
        and a record's corrections must travel merged)."""
        twice = sorted(i for i, n in Counter(c.record_id for c in corrections).items() if n > 1)
        if twice:
            raise ValueError(f"update request names records more than once: {twice}")
        return [self._write_record(c) for c in corrections]

    def _write_record(self, c: Correction) -> WriteOutcome:
        with self._lock:
            queued = self._scripts.outcomes.get(c.record_id)
            if queued:
                scripted = queued.popleft()
                return WriteOutcome(c.key, c.record_id, scripted.status, scripted.message)
            for name, value in c.changes.items():
                allowed = self.options.get(name)
                if value is not None and allowed is not None and value not in allowed:
                    message = f"{name}: value {value!r} is not allowed by the restricted picklist"
                    return WriteOutcome(c.key, c.record_id, OutcomeStatus.DEAD, message)
            stamp = self._update(c.record_id, c.changes)
            return WriteOutcome(c.key, c.record_id, OutcomeStatus.SENT, None, True, stamp)

    def _update(self, record_id: str, changes: Mapping[str, str | None]) -> datetime:
        record = self.records[record_id]
        before = {name: record.values.get(name) for name in changes}
        record.values.update(changes)
        stamp = self._bump(record)
        self.write_log.append(LoggedWrite(record_id, dict(changes), before, stamp))
        return stamp

    def _next_fault(self, operation: str) -> str | None:
        queued = self._scripts.faults.get(operation)
        if queued:
            return queued.popleft()
        rate, kinds = self._scripts.storm
        if kinds and self._scripts.rng.random() < rate:
            return self._scripts.rng.choice(kinds)
        return None

    def _now(self) -> datetime:
        return self.clock().replace(microsecond=0)

    def _bump(self, record: FakeRecord) -> datetime:
        record.modstamp = max(self._now(), record.modstamp + ONE_SECOND)
        return record.modstamp


def _known(kind: str) -> None:
    if kind not in FAULT_KINDS:
        raise ValueError(f"unknown fault kind {kind!r}")


def _unserved(fault: str | None) -> bool:
    return fault is not None and fault not in SERVED_FAULTS
