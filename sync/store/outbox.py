"""The outbox: corrections persisted with idempotency keys, claimed in batches by writers.

Claiming works in the caller's transaction: on PostgreSQL the claimed rows are locked
(``FOR UPDATE SKIP LOCKED``) until that transaction ends, so concurrent writers get disjoint
batches; mark the outcomes and commit in that same transaction. SQLite has one writer at a
time (and ignores ``FOR UPDATE``): run one writer per SQLite store.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from sync.store.errors import StoreError
from sync.store.models import LeadRow, OutboxItem
from sync.store.sql import chunks, dialect_insert
from sync.store.states import CLAIMABLE_STATES, OutboxState

_OUTBOX = OutboxItem.metadata.tables["outbox"]


@dataclass(frozen=True)
class NewOutboxItem:
    """A correction to write: one canonical field of one lead, from old to new value."""

    idempotency_key: str
    lead_id: int
    source: str
    external_id: str
    field: str
    crm_field: str
    old_value: str | None
    new_value: str | None
    policy: str
    expected_modstamp: datetime | None = None
    run_id: int | None = None
    reason: str | None = None
    #: CRM field -> the value the correction was decided on (the writer's conflict check)
    expected: Mapping[str, str | None] | None = None


_ITEM_FIELDS = tuple(f.name for f in fields(NewOutboxItem))


def enqueue(session: Session, items: Iterable[NewOutboxItem], now: datetime) -> int:
    """Add ``items`` as PENDING; an item whose key is already in the outbox is skipped.

    Returns how many were new. Replaying the same evaluation therefore adds nothing. The keys
    are looked up first so the insert stays one executemany (RETURNING would make it a
    statement per row on SQLite and a slow giant one on PostgreSQL); ON CONFLICT still guards
    a concurrent worker.
    """
    # a shallow copy: dataclasses.asdict deep-copies every value (21 µs an item, against 1 µs)
    rows = {
        item.idempotency_key: {name: getattr(item, name) for name in _ITEM_FIELDS} for item in items
    }
    for row in rows.values():
        row["expected"] = dict(row["expected"]) if row["expected"] is not None else None
    for chunk in chunks(list(rows)):
        for key in session.scalars(
            select(OutboxItem.idempotency_key).where(OutboxItem.idempotency_key.in_(chunk))
        ):
            rows.pop(key, None)
    if not rows:
        return 0
    for row in rows.values():
        row.update(state=OutboxState.PENDING, attempts=0, created_at=now, applied=False)
    statement = dialect_insert(session, _OUTBOX).on_conflict_do_nothing(
        index_elements=[_OUTBOX.c.idempotency_key]
    )
    session.execute(statement, list(rows.values()))
    return len(rows)


def supersede_waiting(
    session: Session, keys_by_lead: Mapping[int, Collection[str]], now: datetime, why: str
) -> int:
    """Move to CONFLICT (with ``why``) every waiting item of the given leads whose key is not
    among that lead's new keys: the lead was evaluated again and wants something else now.
    Returns how many were superseded."""
    superseded = 0
    for chunk in chunks(list(keys_by_lead)):
        waiting = session.scalars(
            select(OutboxItem).where(
                OutboxItem.lead_id.in_(chunk), OutboxItem.state.in_(CLAIMABLE_STATES)
            )
        )
        for item in waiting:
            if item.idempotency_key not in keys_by_lead[item.lead_id]:
                item.transition(OutboxState.CONFLICT, now)
                item.last_error = why
                superseded += 1
    return superseded


def supersede_outdated(session: Session, source: str, now: datetime, why: str) -> int:
    """Move to CONFLICT (with ``why``) every waiting item of ``source`` evaluated on an older
    version of its lead than the one stored: the lead was read again and evaluated afresh
    (a pull evaluates every lead it stores), so whatever it still wants was enqueued anew under
    a new key, and a lead that now wants nothing leaves its old items behind. Returns how many.
    """
    query = (
        select(OutboxItem)
        .join(LeadRow, LeadRow.id == OutboxItem.lead_id)
        .where(
            OutboxItem.source == source,
            OutboxItem.state.in_(CLAIMABLE_STATES),
            OutboxItem.expected_modstamp.is_not(None),
            LeadRow.modified_at > OutboxItem.expected_modstamp,
        )
    )
    outdated = list(session.scalars(query))
    for item in outdated:
        item.transition(OutboxState.CONFLICT, now)
        item.last_error = why
    return len(outdated)


def claim_batch(
    session: Session, source: str, limit: int, now: datetime, through_id: int | None = None
) -> list[OutboxItem]:
    """The items of ``source`` due for a write (PENDING, or RETRY whose time came), by lead:
    the leads of the oldest ``limit`` due items, each with ALL its due items, so a lead's
    corrections (a status and its reason) are written together, never split across claims;
    only items up to id ``through_id`` when given (the writes an approval released).

    Oldest first. On PostgreSQL the rows stay locked for this transaction and rows another
    transaction holds are skipped.
    """
    due = or_(OutboxItem.next_attempt_at.is_(None), OutboxItem.next_attempt_at <= now)
    if through_id is not None:
        due = due & (OutboxItem.id <= through_id)
    # the oldest ``limit`` of each state, read in index order (source, state, id), then the
    # oldest of those: one query over both states would sort every claimable item per batch
    oldest = sorted(
        id_
        for state in CLAIMABLE_STATES
        for id_ in session.scalars(
            select(OutboxItem.id)
            .where(OutboxItem.source == source, OutboxItem.state == state, due)
            .order_by(OutboxItem.id)
            .limit(limit)
        )
    )[:limit]
    if not oldest:
        return []
    claimed = _claim_leads_of(session, source, oldest, now, through_id)
    if claimed:
        return claimed
    # every one of them is locked by another writer (PostgreSQL): claim past them
    query = (
        select(OutboxItem.id)
        .where(OutboxItem.source == source, OutboxItem.state.in_(CLAIMABLE_STATES), due)
        .order_by(OutboxItem.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return _claim_leads_of(session, source, list(session.scalars(query)), now, through_id)


def _claim_leads_of(
    session: Session, source: str, item_ids: list[int], now: datetime, through_id: int | None
) -> list[OutboxItem]:
    """Lock every item of the leads of ``item_ids`` and keep the due ones, oldest first.

    Locked by lead alone, the state checked here: with ``state IN`` in the WHERE, SQLite's
    planner walks the state index over every claimable item instead of the lead index.
    """
    if not item_ids:
        return []
    leads = list(
        session.scalars(select(OutboxItem.lead_id).where(OutboxItem.id.in_(item_ids)).distinct())
    )
    query = (
        select(OutboxItem)
        .where(OutboxItem.lead_id.in_(leads), OutboxItem.source == source)
        .order_by(OutboxItem.id)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)  # the locked rows' values, not cached ones
    )
    return [
        item
        for item in session.scalars(query)
        if item.state in CLAIMABLE_STATES
        and (item.next_attempt_at is None or item.next_attempt_at <= now)
        and (through_id is None or item.id <= through_id)
    ]


def mark_sending(items: Iterable[OutboxItem], run_id: int, now: datetime) -> None:
    """Record ``items`` as in flight, sent by run ``run_id``: commit this before the batch
    goes out, so a crash after the CRM applied it leaves a trace to reconcile."""
    for item in items:
        item.transition(OutboxState.SENDING, now)
        item.sent_run_id, item.next_attempt_at = run_id, None


def in_flight(session: Session, source: str, run_id: int, limit: int) -> list[OutboxItem]:
    """Items of ``source`` left in flight by a run other than ``run_id`` (whose worker died
    between sending a batch and recording its outcome), by lead, oldest first: the leads of
    the oldest ``limit`` such items, each with all of them."""
    others = or_(OutboxItem.sent_run_id.is_(None), OutboxItem.sent_run_id != run_id)
    sending = (OutboxItem.source == source, OutboxItem.state == OutboxState.SENDING, others)
    leads = select(OutboxItem.lead_id).where(*sending).order_by(OutboxItem.id).limit(limit)
    query = (
        select(OutboxItem)
        .where(*sending, OutboxItem.lead_id.in_(list(session.scalars(leads))))
        .order_by(OutboxItem.id)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    return list(session.scalars(query))


def settle(
    items: Iterable[OutboxItem],
    state: OutboxState,
    now: datetime,
    *,
    error: str | None = None,
    retry_at: datetime | None = None,
    sent_run_id: int | None = None,
    applied: bool = False,
    sent_modstamp: datetime | None = None,
) -> None:
    """The one way an item's write outcome is recorded: move it to ``state`` (raising
    :class:`IllegalTransition` on an illegal move) with what goes with that state.

    ``error`` is the CRM's or leadloop's explanation (kept for anything but SENT);
    ``retry_at`` when a RETRY item is due again; for SENT, the sending run, whether the write
    changed the record (False: the CRM already held the value) and the record's modstamp after
    it (undo's conflict check). Any other state clears the sending run.
    """
    for item in items:
        item.transition(state, now)
        item.last_error = None if state is OutboxState.SENT else error
        item.next_attempt_at = retry_at if state is OutboxState.RETRY else None
        item.sent_run_id = sent_run_id if state is OutboxState.SENT else None
        if state is OutboxState.SENT:
            item.applied, item.sent_modstamp = applied, sent_modstamp


def items_by_id(session: Session, item_ids: Collection[int]) -> list[OutboxItem]:
    """The items with these ids, by id (StoreError naming the ids that do not exist)."""
    return _load(session, item_ids)


def _load(session: Session, item_ids: Collection[int]) -> list[OutboxItem]:
    wanted = sorted(set(item_ids))
    items: list[OutboxItem] = []
    for chunk in chunks(wanted):
        items += session.scalars(select(OutboxItem).where(OutboxItem.id.in_(chunk)))
    missing = set(wanted) - {item.id for item in items}
    if missing:
        raise StoreError(f"outbox items not found: {sorted(missing)[:10]}")
    return items


def sent_by_run(session: Session, run_id: int) -> list[OutboxItem]:
    """The items run ``run_id`` changed in the CRM and no undo has reverted yet, oldest first."""
    query = select(OutboxItem).where(
        OutboxItem.sent_run_id == run_id,
        OutboxItem.state == OutboxState.SENT,
        OutboxItem.applied.is_(True),
        OutboxItem.undone_by_run_id.is_(None),
    )
    return list(session.scalars(query.order_by(OutboxItem.id)))


def pending_records(session: Session, source: str) -> tuple[int, int]:
    """(records of ``source`` with writes waiting, leads of ``source`` in the store)."""
    waiting = (
        session.scalar(
            select(func.count(func.distinct(OutboxItem.lead_id))).where(
                OutboxItem.source == source, OutboxItem.state.in_(CLAIMABLE_STATES)
            )
        )
        or 0
    )
    total = (
        session.scalar(select(func.count()).select_from(LeadRow).where(LeadRow.source == source))
        or 0
    )
    return waiting, total


def mark_undone(session: Session, item_ids: Collection[int], undo_run_id: int) -> None:
    """Record that run ``undo_run_id`` reverted the items (so a second undo skips them)."""
    for item in _load(session, item_ids):
        item.undone_by_run_id = undo_run_id
    session.flush()
