"""The fake connector's write-back, shaped as the real writers' (connectors/*/writer.py).

A record's corrections are merged into one update (:func:`connectors.batching.merge_by_record`),
the updates go in batches of ``batch_size``, and each attempt at a batch, the first and every
retry, re-reads the batch in one request, decides each update, and sends what still needs
writing in one update request. A failed or ambiguous request fails the attempt, and the whole
attempt is retried: a person's edit made meanwhile is seen by the next re-read and never
overwritten by a blind re-send.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import partial
from typing import Protocol, TypeVar

from connectors.base import Correction, OutcomeStatus, SourceRecord, WriteOutcome
from connectors.batching import chunks, merge_by_record, spread_outcomes
from connectors.conflicts import changed_stamp, changed_value, landed
from connectors.salesforce.writer import same_value
from tests.fakes.crm import FakeCrm

T = TypeVar("T")
Outcomes = dict[str, WriteOutcome]
#: ``retried(operation, attempt)``: ``attempt()`` under the retry policy as a whole
Retried = Callable[[str, Callable[[], Outcomes]], Outcomes]


class Once(Protocol):
    """``once(operation, answer)``: one request the CRM serves with ``answer()``, not retried."""

    def __call__(self, operation: str, answer: Callable[[], T], /) -> T: ...


def write(
    crm: FakeCrm,
    once: Once,
    retried: Retried,
    batch_size: int,
    corrections: Sequence[Correction],
) -> list[WriteOutcome]:
    """Every correction's outcome, in input order (two requests per batch when nothing fails
    and something needs writing)."""
    updates = merge_by_record(corrections)
    outcomes: Outcomes = {}
    sent: set[str] = set()  # records an attempt sent: its answer may have been lost
    for batch in chunks([u.correction for u in updates], batch_size):
        outcomes.update(retried("write", partial(write_batch, crm, once, batch, sent)))
    spread = spread_outcomes(updates, outcomes)
    return [spread[c.key] for c in corrections]


def write_batch(crm: FakeCrm, once: Once, batch: Sequence[Correction], sent: set[str]) -> Outcomes:
    """One attempt at a batch: re-read it, decide each update, write what still needs it
    (``sent``: records an earlier attempt sent, whose write may have landed unanswered)."""
    batch = [replace(c, maybe_sent=True) if c.record_id in sent else c for c in batch]
    wanted = {c.record_id for c in batch}
    rows = once("reread", partial(crm.select, "reread", lambda r: r.record_id in wanted))
    current = {r.record_id: r for r in rows}
    outcomes: Outcomes = {}
    to_write = []
    for item in batch:
        decided = decide(item, current.get(item.record_id))
        if decided is None:
            to_write.append(item)
        else:
            outcomes[item.key] = decided
    if to_write:
        sent.update(c.record_id for c in to_write)
        written = once("update", partial(crm.write_records, to_write))
        outcomes.update((o.key, o) for o in written)
    return outcomes


def decide(c: Correction, current: SourceRecord | None) -> WriteOutcome | None:
    """The outcome known before writing (None: write it), as the real writers decide."""
    if current is None:
        return _outcome(c, OutcomeStatus.DEAD, "record not found")
    if current.deleted:
        return _outcome(c, OutcomeStatus.DEAD, "record deleted")
    if all(same_value(current.fields.get(k), v) for k, v in c.changes.items()):
        # already there: ours when an earlier attempt may have sent it (no last modifier here)
        return _outcome(c, OutcomeStatus.SENT, applied=landed(c, current.modstamp, None))
    why = changed_value(c, current.fields, same_value) or changed_stamp(c, current.modstamp)
    return None if why is None else _outcome(c, OutcomeStatus.CONFLICT, why)


def _outcome(
    c: Correction, status: OutcomeStatus, message: str | None = None, applied: bool = False
) -> WriteOutcome:
    return WriteOutcome(c.key, c.record_id, status, message, applied)
