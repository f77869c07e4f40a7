"""The outbox: corrections persisted with idempotency keys, then written to the CRM.

State machine per item: PENDING -> SENDING -> SENT | CONFLICT | RETRY | DEAD (RETRY -> ...
again until ``max_attempts``). Items of one lead are written together as one CRM record
update. Crash safety: items are enqueued in the evaluation's transaction; a batch is recorded
as in flight (SENDING, committed) before it is sent and its outcomes are committed after; a
crash in between leaves it SENDING, and the next write-back reconciles it against the CRM
before anything else is sent (:mod:`sync.pipeline.inflight`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from connectors.base import TASK_FIELD, Correction, OutcomeStatus, WriteOutcome
from sync.pipeline.changes import PlannedWrite
from sync.store import outbox as store_outbox
from sync.store import review_tasks
from sync.store.models import OutboxItem
from sync.store.outbox import NewOutboxItem
from sync.store.states import OutboxState

MAX_ATTEMPTS = 5
RETRY_BACKOFF = timedelta(minutes=2)
SUPERSEDED = "superseded by a newer evaluation of the record"


def enqueue(
    session: Session,
    planned: Mapping[int, Sequence[PlannedWrite]],
    run_id: int | None,
    now: datetime,
) -> int:
    """Add the planned writes (lead id -> writes) not already in the outbox; return how many.

    An item already waiting for the same record field with another value is superseded (the
    record changed and was evaluated again): it becomes CONFLICT and is never written. Items of
    a lead that now wants nothing are superseded at write-back
    (:func:`sync.store.outbox.supersede_outdated`: evaluated on an older version of the lead).
    """
    _supersede(session, planned, now)
    return store_outbox.enqueue(
        session,
        (
            NewOutboxItem(
                idempotency_key=w.key,
                lead_id=lead_id,
                source=w.source,
                external_id=w.external_id,
                field=w.field,
                crm_field=w.crm_field,
                old_value=w.old_value,
                new_value=w.new_value,
                policy=w.policy,
                expected_modstamp=w.expected_modstamp,
                run_id=run_id,
                reason=w.reason,
                expected=w.expected,
            )
            for lead_id, writes in planned.items()
            for w in writes
        ),
        now,
    )


def _supersede(
    session: Session, planned: Mapping[int, Sequence[PlannedWrite]], now: datetime
) -> None:
    keys = {lead_id: {w.key for w in writes} for lead_id, writes in planned.items()}
    store_outbox.supersede_waiting(session, keys, now, SUPERSEDED)


@dataclass(frozen=True)
class Batch:
    """Outbox items grouped into one connector correction per record."""

    corrections: list[Correction]
    items: dict[str, list[OutboxItem]]  # correction key -> its items


@dataclass(frozen=True)
class Reading:
    """How a group of items expects its record to read: ``value`` gives each item's value to
    write, ``values`` the CRM values the record must still hold (see
    :attr:`Correction.expected`), ``stamp`` its expected modstamp."""

    value: Callable[[OutboxItem], str | None]
    values: Callable[[OutboxItem], Mapping[str, str | None]]
    stamp: Callable[[Sequence[OutboxItem]], datetime | None]


def group_corrections(
    items: Sequence[OutboxItem],
    prefix: str,
    reading: Reading,
    maybe_sent: bool = False,
    task_ids: Mapping[int, str] | None = None,
) -> Batch:
    """One :class:`Correction` per record (several fields of a lead go in one update), and
    one more for a review flag delivered as a task (with the task leadloop last wrote, from
    ``task_ids`` by lead id); ``maybe_sent``: the items were in flight when a worker died."""
    groups: dict[tuple[str, bool], list[OutboxItem]] = {}
    for item in items:
        groups.setdefault((item.external_id, item.crm_field == TASK_FIELD), []).append(item)
    corrections, index = [], {}
    for (external_id, is_task), group in groups.items():
        key = f"{prefix}:{group[0].id}"
        changes = {i.crm_field: reading.value(i) for i in group}
        expected: dict[str, str | None] = {}
        for item in group:
            expected.update(reading.values(item))
        remote = (task_ids or {}).get(group[0].lead_id) if is_task else None
        stamp = reading.stamp(group)
        corrections.append(
            Correction(key, external_id, changes, stamp, expected, maybe_sent, remote)
        )
        index[key] = group
    return Batch(corrections, index)


def _evaluated_stamp(group: Sequence[OutboxItem]) -> datetime | None:
    stamps = [i.expected_modstamp for i in group if i.expected_modstamp is not None]
    return min(stamps) if stamps else None


def _evaluated_values(item: OutboxItem) -> Mapping[str, str | None]:
    # items stored before the values were kept: the changed field's own old value
    return item.expected if item.expected is not None else {item.crm_field: item.old_value}


EVALUATED = Reading(lambda i: i.new_value, _evaluated_values, _evaluated_stamp)


def task_ids_of(session: Session, items: Sequence[OutboxItem]) -> dict[int, str]:
    """lead id -> the task leadloop last wrote, for the leads whose review flag ``items``
    deliver (the other items need none)."""
    return review_tasks.task_ids(session, [i.lead_id for i in items if i.crm_field == TASK_FIELD])


def to_corrections(
    items: Sequence[OutboxItem], maybe_sent: bool = False, task_ids: Mapping[int, str] | None = None
) -> Batch:
    """The items' new values, expected on the records as they were evaluated."""
    return group_corrections(items, "outbox", EVALUATED, maybe_sent, task_ids)


def record_outcomes(
    batch: Batch, outcomes: Sequence[WriteOutcome], run_id: int | None, now: datetime
) -> dict[str, int]:
    """Move each item to the state its outcome says; return counts per state. A sent item
    belongs to ``run_id``, or (None) to the run that put it in flight."""
    counts: dict[str, int] = {}
    tasks: list[review_tasks.TaskWrite] = []
    for outcome in outcomes:
        for item in batch.items[outcome.key]:
            state, done = _state_for(item, outcome), _attempts(item)
            # Salesforce's collections answer carries no modstamp; our clock right after the
            # write bounds it (undo's conflict check assumes clocks roughly agree)
            store_outbox.settle(
                [item],
                state,
                now,
                error=outcome.message,
                retry_at=now + RETRY_BACKOFF * 2 ** (done - 1),
                sent_run_id=item.sent_run_id if run_id is None else run_id,
                applied=outcome.applied,
                sent_modstamp=outcome.new_modstamp or now,
            )
            if state is OutboxState.SENT and item.crm_field == TASK_FIELD:
                tasks.append((item, outcome.remote_id, item.new_value))
            counts[state.value] = counts.get(state.value, 0) + 1
    review_tasks.record(tasks, now)
    return counts


def _attempts(item: OutboxItem) -> int:
    """Attempts made, this one included (counted when it went in flight)."""
    return item.attempts if item.state is OutboxState.SENDING else item.attempts + 1


def _state_for(item: OutboxItem, outcome: WriteOutcome) -> OutboxState:
    if outcome.status is OutcomeStatus.RETRY and _attempts(item) >= MAX_ATTEMPTS:
        return OutboxState.DEAD
    return OutboxState(outcome.status.value)
