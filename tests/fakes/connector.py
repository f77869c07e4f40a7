"""FakeConnector: the :class:`connectors.base.Connector` contract over an in-memory CRM.

It behaves as the real connectors do where the engine can tell: pages ascending by
(modstamp, id) with a cursor after each, half-open windows, a query snapshot paged one
request at a time, one retry layer (429/503/dropped requests retried, the waits recorded and
never slept), run-level errors raised as the contract's taxonomy, and writes batched with
one conflict-check re-read and at most one update request per batch. It passes the same
contract suite as the real connectors (``tests/connectors/test_contract_fake.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import partial
from typing import Any, TypeVar

from connectors.base import (
    ApiUsage,
    Correction,
    Cursor,
    FatalError,
    FieldInfo,
    LimitExhausted,
    OutcomeStatus,
    Page,
    SourceRecord,
    TransientError,
    Window,
    WriteOutcome,
)
from tests.fakes.crm import FakeCrm, FakeRecord

T = TypeVar("T")
#: the retry layer's waits, in seconds, before the 2nd, 3rd and 4th attempt
BACKOFF = (1.0, 2.0, 4.0)


class FakeConnector:
    """One source's connector to a :class:`FakeCrm`; ``waits`` holds the backoff it asked for."""

    kind = "salesforce"
    modstamp_field = "SystemModstamp"

    def __init__(self, crm: FakeCrm, page_size: int = 200, batch_size: int = 200) -> None:
        self.crm = crm
        self.page_size = page_size
        self.batch_size = batch_size
        self.usage = ApiUsage()
        self.waits: list[float] = []
        self.closed = False
        self._options: Mapping[str, frozenset[str]] | None = None

    # -- the contract ---------------------------------------------------------------------

    def check(self) -> None:
        """One describe request (the fake has every field)."""
        self._describe()

    def field_options(self, field_name: str) -> frozenset[str] | None:
        """The picklist's values (one describe per connector), None for free fields."""
        return self._describe().get(field_name)

    def field_info(self, field_name: str) -> FieldInfo | None:
        """Restricted picklists from the fake's options; any other field is 255-char text."""
        options = self._describe().get(field_name)
        if options is not None:
            return FieldInfo(field_name, "picklist", "picklist", options=tuple(sorted(options)))
        return FieldInfo(field_name, "text", "string", length=255)

    def pull(self, window: Window, after: Cursor | None = None) -> Iterator[Page]:
        def keep(record: FakeRecord) -> bool:
            if window.start is not None and record.modstamp < window.start:
                return False
            if record.modstamp >= window.end:
                return False
            return after is None or (record.modstamp, record.record_id) > (
                after.modstamp,
                after.record_id,
            )

        return self._pages(keep, after, track_cursor=True)

    def pull_all(self) -> Iterator[Page]:
        return self._pages(lambda _record: True, None, track_cursor=True)

    def pull_ids(self, record_ids: Sequence[str]) -> Iterator[Page]:
        unique = list(dict.fromkeys(record_ids))
        for start in range(0, len(unique), self.page_size):
            wanted = frozenset(unique[start : start + self.page_size])
            yield from self._pages(partial(_among, wanted), None, track_cursor=False)

    def write(self, corrections: Sequence[Correction]) -> list[WriteOutcome]:
        outcomes: dict[str, WriteOutcome] = {}
        for batch in self._batches(corrections):
            current = self._call("reread", partial(self._reread, batch))
            decided = {c.key: self._decide(c, current.get(c.record_id)) for c in batch}
            outcomes.update((k, o) for k, o in decided.items() if o is not None)
            to_write = [c for c in batch if decided[c.key] is None]
            if to_write:
                written = self._call("update", partial(self._apply_all, to_write))
                outcomes.update((o.key, o) for o in written)
        return [outcomes[c.key] for c in corrections]

    def close(self) -> None:
        self.closed = True

    # -- requests -------------------------------------------------------------------------

    def _call(self, operation: str, answer: Callable[[], T]) -> T:
        """One API call: each attempt one counted request; retried faults wait and retry."""
        for attempt, wait in enumerate((*BACKOFF, None), start=1):
            self.usage.count(operation)
            fault = self.crm.request(operation)
            if fault is None:
                return answer()
            if fault == "fatal":
                raise FatalError(f"fake CRM refused {operation} (injected fatal error)")
            if fault == "limit":
                raise LimitExhausted(f"fake CRM: daily API limit reached during {operation}")
            if fault == "transient" or wait is None:
                raise TransientError(f"fake CRM: {operation} failed {attempt} times ({fault})")
            self.waits.append(wait)
        raise AssertionError("unreachable")

    def _describe(self) -> Mapping[str, frozenset[str]]:
        if self._options is None:
            self._options = self._call("describe", lambda: dict(self.crm.options))
        return self._options

    def _pages(
        self, keep: Callable[[FakeRecord], bool], after: Cursor | None, track_cursor: bool
    ) -> Iterator[Page]:
        """The query's result as of its first request, a page per request (queryMore)."""
        rows = self._call("query", lambda: self.crm.select("query", keep))
        cursor = after
        for start in range(0, max(len(rows), 1), self.page_size):
            if start:
                self._call("query", lambda: None)
            records = rows[start : start + self.page_size]
            if records:
                cursor = Cursor(records[-1].modstamp, records[-1].record_id)
            yield Page(records, cursor if track_cursor else None)

    # -- writing --------------------------------------------------------------------------

    def _batches(self, corrections: Sequence[Correction]) -> Iterator[list[Correction]]:
        """At most ``batch_size`` corrections, each record at most once per batch."""
        batch: list[Correction] = []
        for correction in corrections:
            if len(batch) == self.batch_size or any(
                c.record_id == correction.record_id for c in batch
            ):
                yield batch
                batch = []
            batch.append(correction)
        if batch:
            yield batch

    def _reread(self, batch: Sequence[Correction]) -> dict[str, SourceRecord]:
        wanted = {c.record_id for c in batch}
        return {r.record_id: r for r in self.crm.select("reread", lambda r: r.record_id in wanted)}

    def _decide(self, c: Correction, current: SourceRecord | None) -> WriteOutcome | None:
        """The outcome known before writing (None: write it), as the real writers decide."""
        if current is None:
            return _outcome(c, OutcomeStatus.DEAD, "record not found")
        if current.deleted:
            return _outcome(c, OutcomeStatus.DEAD, "record deleted")
        if all(_same(current.fields.get(k), v) for k, v in c.changes.items()):
            return _outcome(c, OutcomeStatus.SENT)
        if c.expected_modstamp is not None and current.modstamp > c.expected_modstamp:
            return _outcome(
                c,
                OutcomeStatus.CONFLICT,
                f"record changed at {current.modstamp.isoformat()} after evaluation at "
                f"{c.expected_modstamp.isoformat()}",
            )
        return None

    def _apply_all(self, to_write: Sequence[Correction]) -> list[WriteOutcome]:
        return [self._apply(c) for c in to_write]

    def _apply(self, c: Correction) -> WriteOutcome:
        scripted = self.crm.scripted(c.record_id)
        if scripted is not None:
            return _outcome(c, scripted.status, scripted.message)
        for name, value in c.changes.items():
            allowed = self.crm.options.get(name)
            if value is not None and allowed is not None and value not in allowed:
                return _outcome(
                    c,
                    OutcomeStatus.DEAD,
                    f"{name}: value {value!r} is not allowed by the restricted picklist",
                )
        stamp = self.crm.update(c.record_id, c.changes)
        return WriteOutcome(c.key, c.record_id, OutcomeStatus.SENT, None, True, stamp)


def _among(ids: frozenset[str], record: FakeRecord) -> bool:
    return record.record_id in ids


def _outcome(c: Correction, status: OutcomeStatus, message: str | None = None) -> WriteOutcome:
    return WriteOutcome(c.key, c.record_id, status, message)


def _same(current: Any, target: str | None) -> bool:
    if target is None or target == "":
        return current is None or current == ""
    return current is not None and str(current) == target
