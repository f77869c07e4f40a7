"""Outbox: idempotent enqueue, due-item claiming (disjoint under SKIP LOCKED), state machine."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sync.store.db import make_engine, session_factory, upgrade
from sync.store.errors import IllegalTransition, StoreError
from sync.store.leads import lead_key, upsert_leads
from sync.store.models import OutboxItem
from sync.store.outbox import (
    NewOutboxItem,
    claim_batch,
    enqueue,
    in_flight,
    items_by_id,
    mark_sending,
    mark_undone,
    sent_by_run,
    settle,
    supersede_outdated,
)
from sync.store.runs import start_run
from sync.store.states import OutboxState
from tests.builders import NOW, lead

MINUTE = timedelta(minutes=1)


def correction(lead_id: int, key: str, source: str = "salesforce") -> NewOutboxItem:
    """A correction clearing a stale unqualified reason, keyed ``key``."""
    return NewOutboxItem(
        idempotency_key=key, lead_id=lead_id, source=source, external_id="00QA",
        field="unqualified_reason", crm_field="Unqualified_Reason__c", old_value="No Budget",
        new_value=None, policy="clear_reasons_on_exit", expected_modstamp=NOW,
    )  # fmt: skip


def stored_lead_id(session: Session, external_id: str = "00QA") -> int:
    stored = lead(external_id=external_id)
    return upsert_leads(session, [stored], NOW)[lead_key(stored)].lead_id


def test_given_new_items_when_enqueued_twice_then_the_second_time_adds_nothing(
    session: Session,
) -> None:
    lead_id = stored_lead_id(session)
    items = [correction(lead_id, f"k{i}") for i in range(3)]

    first = enqueue(session, items, NOW)
    second = enqueue(session, [*items, correction(lead_id, "k3")], NOW + MINUTE)

    assert (first, second) == (3, 1)
    assert session.scalar(select(func.count()).select_from(OutboxItem)) == 4
    states = session.scalars(select(OutboxItem.state)).all()
    assert set(states) == {OutboxState.PENDING}


def test_given_an_existing_key_when_inserted_directly_then_the_database_refuses_it(
    session: Session,
) -> None:
    lead_id = stored_lead_id(session)
    enqueue(session, [correction(lead_id, "k1")], NOW)
    session.add(
        OutboxItem(
            idempotency_key="k1", lead_id=lead_id, source="salesforce", external_id="00QA",
            field="f", crm_field="F__c", policy="p", created_at=NOW,
        )
    )  # fmt: skip

    with pytest.raises(IntegrityError):
        session.flush()


def mark(
    session: Session, ids: Sequence[int], state: OutboxState, now: datetime, **outcome: Any
) -> list[OutboxItem]:
    """Settle the items ``ids`` in ``state`` (the store's one transition path)."""
    items = items_by_id(session, ids)
    settle(items, state, now, **outcome)
    return items


def test_given_pending_retry_and_done_items_when_claimed_then_only_due_ones_come_oldest_first(
    session: Session,
) -> None:
    lead_id = stored_lead_id(session)
    enqueue(session, [correction(lead_id, f"k{i}") for i in range(5)], NOW)
    enqueue(session, [correction(lead_id, "hubspot-1", source="hubspot")], NOW)
    ids = session.scalars(select(OutboxItem.id).order_by(OutboxItem.id)).all()
    mark(session, [ids[0]], OutboxState.SENT, NOW)
    mark(session, [ids[1]], OutboxState.RETRY, NOW, error="503", retry_at=NOW + 5 * MINUTE)
    mark(session, [ids[2]], OutboxState.RETRY, NOW, error="503", retry_at=NOW + MINUTE)

    claimed = claim_batch(session, "salesforce", limit=10, now=NOW + 2 * MINUTE)

    assert [item.id for item in claimed] == [ids[2], ids[3], ids[4]]


def test_given_a_limit_that_cuts_a_lead_when_claiming_then_the_whole_lead_comes(
    session: Session,
) -> None:
    """A status and its reason are never split across two claims (two write batches)."""
    first, second = stored_lead_id(session, "00QA"), stored_lead_id(session, "00QB")
    enqueue(session, [correction(first, "a1"), correction(second, "b1")], NOW)
    enqueue(session, [correction(first, "a2"), correction(second, "b2")], NOW + MINUTE)

    claimed = claim_batch(session, "salesforce", limit=1, now=NOW + MINUTE)
    assert [item.idempotency_key for item in claimed] == ["a1", "a2"]
    for item in claimed:
        mark(session, [item.id], OutboxState.SENT, NOW + MINUTE)
    again = claim_batch(session, "salesforce", limit=3, now=NOW + MINUTE)
    assert [item.idempotency_key for item in again] == ["b1", "b2"]


def test_given_an_item_when_marked_through_its_life_then_attempts_and_times_are_kept(
    session: Session,
) -> None:
    enqueue(session, [correction(stored_lead_id(session), "k1")], NOW)
    item_id = session.scalars(select(OutboxItem.id)).one()

    mark(session, [item_id], OutboxState.RETRY, NOW, error="HTTP 503", retry_at=NOW + MINUTE)
    mark(session, [item_id], OutboxState.RETRY, NOW + MINUTE, retry_at=NOW + 3 * MINUTE)
    (item,) = mark(session, [item_id], OutboxState.SENT, NOW + 3 * MINUTE)

    assert (item.state, item.attempts, item.sent_at) == (OutboxState.SENT, 3, NOW + 3 * MINUTE)
    assert item.next_attempt_at is None and item.last_error is None


@pytest.mark.parametrize("done", [OutboxState.SENT, OutboxState.CONFLICT, OutboxState.DEAD])
@pytest.mark.parametrize("to", list(OutboxState))
def test_given_a_finished_item_when_marked_again_then_it_is_refused(
    session: Session, done: OutboxState, to: OutboxState
) -> None:
    enqueue(session, [correction(stored_lead_id(session), "k1")], NOW)
    (item,) = mark(session, session.scalars(select(OutboxItem.id)).all(), done, NOW)

    with pytest.raises(IllegalTransition, match=f"k1: cannot go from {done} to {to}"):
        mark(session, [item.id], to, NOW)


def test_given_an_unknown_item_id_when_marked_then_it_is_named(session: Session) -> None:
    with pytest.raises(StoreError, match=r"outbox items not found: \[424242\]"):
        mark(session, [424242], OutboxState.SENT, NOW)


def test_given_duplicate_keys_in_one_call_when_enqueued_then_one_item_is_added(
    session: Session,
) -> None:
    item = correction(stored_lead_id(session), "k1")

    assert enqueue(session, [item, replace(item, new_value="other")], NOW) == 1


def _claim_concurrently(postgres_url: str, first: int, second: int) -> tuple[list[int], list[int]]:
    """Ten pending items of ten leads; two PostgreSQL sessions claim ``first`` then ``second``,
    each holding its locks while the other claims. Returns the ids each got."""
    engine = make_engine(postgres_url)
    upgrade(engine)
    factory = session_factory(engine)
    with factory.begin() as setup:
        leads = [stored_lead_id(setup, f"00Q{i}") for i in range(10)]
        enqueue(setup, [correction(lead_id, f"k{i}") for i, lead_id in enumerate(leads)], NOW)

    with factory() as one, factory() as two:
        ids_one = [i.id for i in claim_batch(one, "salesforce", limit=first, now=NOW)]
        ids_two = [i.id for i in claim_batch(two, "salesforce", limit=second, now=NOW)]
        one.rollback()
        two.rollback()
    engine.dispose()
    return ids_one, ids_two


@pytest.mark.postgres
def test_given_two_postgres_workers_when_both_claim_at_once_then_their_batches_are_disjoint(
    postgres_url: str,
) -> None:
    ids_one, ids_two = _claim_concurrently(postgres_url, first=4, second=10)

    assert len(ids_one) == 4 and len(ids_two) == 6
    assert set(ids_one).isdisjoint(ids_two)


@pytest.mark.postgres
def test_given_the_oldest_items_locked_by_another_worker_when_claiming_then_the_next_come(
    postgres_url: str,
) -> None:
    ids_one, ids_two = _claim_concurrently(postgres_url, first=4, second=4)

    assert len(ids_one) == len(ids_two) == 4
    assert max(ids_one) < min(ids_two)


def test_given_a_run_that_sent_items_when_undone_then_they_are_no_longer_listed_as_sent(
    session: Session,
) -> None:
    run = start_run(session, "sync", NOW)
    lead_id = stored_lead_id(session)
    items = [replace(correction(lead_id, f"k{i}"), run_id=run.id) for i in range(3)]
    enqueue(session, items, NOW)
    ids = session.scalars(select(OutboxItem.id).order_by(OutboxItem.id)).all()
    mark(session, ids[:2], OutboxState.SENT, NOW, sent_run_id=run.id, applied=True)
    mark(session, ids[2:], OutboxState.CONFLICT, NOW)
    undo = start_run(session, "undo", NOW)

    sent = sent_by_run(session, run.id)
    mark_undone(session, [item.id for item in sent], undo.id)

    assert [item.id for item in sent] == ids[:2]
    assert sent_by_run(session, run.id) == []


def test_given_items_sent_by_two_runs_when_a_third_looks_for_batches_in_flight_then_both_come(
    session: Session,
) -> None:
    crashed, current = start_run(session, "sync", NOW), start_run(session, "sync", NOW)
    first, second = stored_lead_id(session, "00QA"), stored_lead_id(session, "00QB")
    enqueue(session, [correction(first, "a"), correction(second, "b")], NOW)
    a, b = items_by_id(session, session.scalars(select(OutboxItem.id)).all())
    mark_sending([a], crashed.id, NOW)
    mark_sending([b], current.id, NOW)

    assert [i.idempotency_key for i in in_flight(session, "salesforce", current.id, 10)] == ["a"]
    assert claim_batch(session, "salesforce", limit=10, now=NOW) == []  # in flight: not claimable
    assert (a.state, a.attempts, a.sent_run_id) == (OutboxState.SENDING, 1, crashed.id)


def test_given_an_item_in_flight_when_its_outcome_is_recorded_then_the_attempt_counts_once(
    session: Session,
) -> None:
    run = start_run(session, "sync", NOW)
    enqueue(session, [correction(stored_lead_id(session), "k1")], NOW)
    items = items_by_id(session, session.scalars(select(OutboxItem.id)).all())

    mark_sending(items, run.id, NOW)
    settle(items, OutboxState.SENT, NOW, sent_run_id=run.id, applied=True)

    assert (items[0].state, items[0].attempts, items[0].applied) == (OutboxState.SENT, 1, True)


def test_given_the_state_column_when_set_to_a_state_it_does_not_know_then_refused(
    session: Session,
) -> None:
    enqueue(session, [correction(stored_lead_id(session), "k1")], NOW)
    session.execute(text("UPDATE outbox SET state = 'sending'"))  # a known state passes

    with pytest.raises(IntegrityError):
        session.execute(text("UPDATE outbox SET state = 'flying'"))


def test_given_waiting_items_of_an_older_version_of_their_lead_then_they_are_superseded(
    session: Session,
) -> None:
    """The lead was read again at a later version (and evaluated afresh): what it still wants
    has new keys; an item of the older version is stale, whether or not the lead wants more."""
    stale, current = stored_lead_id(session, "00QA"), stored_lead_id(session, "00QB")
    read_at = lead().modified_at  # the version both leads are stored at
    assert read_at is not None
    older = replace(correction(stale, "old"), expected_modstamp=read_at - MINUTE)
    enqueue(session, [older, replace(correction(current, "now"), expected_modstamp=read_at)], NOW)

    assert supersede_outdated(session, "salesforce", NOW, "superseded") == 1

    states = dict(session.execute(select(OutboxItem.idempotency_key, OutboxItem.state)).all())
    assert states == {"old": OutboxState.CONFLICT, "now": OutboxState.PENDING}
