"""Leads: bulk upsert, status-change detection, raw payloads, domain round trip, cursors."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sync.domain import Status
from sync.store.cursors import Position, get_cursor, set_cursor
from sync.store.history import record_status_changes
from sync.store.leads import lead_key, load_leads, load_stored, upsert_leads
from sync.store.models import LeadRow, RawPayload, StatusChange
from sync.store.payloads import store_raw_payloads
from tests.builders import NOW, lead

LATER = NOW + timedelta(hours=1)


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_given_new_leads_when_upserted_then_they_are_created_with_first_seen_now(
    session: Session,
) -> None:
    leads = [lead(external_id="00QA"), lead(external_id="00QB", status=Status.NURTURE)]

    results = upsert_leads(session, leads, NOW)

    assert {key: (r.created, r.previous_status) for key, r in results.items()} == {
        ("salesforce", "00QA"): (True, None),
        ("salesforce", "00QB"): (True, None),
    }
    row = session.get(LeadRow, results[("salesforce", "00QB")].lead_id)
    assert row is not None and row.status == "nurture" and row.first_seen_at == NOW


def test_given_stored_leads_when_the_same_page_is_upserted_again_then_nothing_changes(
    session: Session,
) -> None:
    leads = [lead(external_id=f"00Q{i}") for i in range(5)]
    first = upsert_leads(session, leads, NOW)
    record_status_changes(session, leads, first, NOW)

    again = upsert_leads(session, leads, LATER)
    added = record_status_changes(session, leads, again, LATER)

    assert {k: r.lead_id for k, r in again.items()} == {k: r.lead_id for k, r in first.items()}
    assert all(r.unchanged and not r.created and not r.status_changed for r in again.values())
    assert added == 0
    assert _count(session, LeadRow) == 5 and _count(session, StatusChange) == 5
    assert session.scalars(select(LeadRow.updated_at)).all() == [NOW] * 5


@pytest.mark.parametrize("pass_known", [False, True], ids=["read-by-upsert", "loaded-first"])
def test_given_new_changed_unchanged_and_stale_leads_then_upsert_says_so_whoever_read_the_rows(
    session: Session,
    pass_known: bool,
) -> None:
    same, changed, stale = (lead(external_id=f"00Q{i}", modified_at=NOW) for i in range(3))
    upsert_leads(session, [same, changed, stale], NOW)
    page = [
        same,
        replace(changed, status=Status.NURTURE, modified_at=LATER),
        replace(stale, company="Older copy", modified_at=NOW - timedelta(days=1)),
        lead(external_id="00QNEW"),
    ]
    stored = load_stored(session, [lead_key(x) for x in page])

    results = upsert_leads(
        session, page, LATER, known={k: s.row for k, s in stored.items()} if pass_known else None
    )

    flags = {
        key[1]: (r.created, r.unchanged, r.stale, r.status_changed, r.previous_status)
        for key, r in results.items()
    }
    assert flags == {
        "00Q0": (False, True, False, False, "working"),
        "00Q1": (False, False, False, True, "working"),
        "00Q2": (False, False, True, False, "working"),
        "00QNEW": (True, False, False, False, None),
    }
    assert {k: s.lead for k, s in stored.items()} == {
        lead_key(x): x for x in (same, changed, stale)
    }
    assert {key[1]: r.lead_id for key, r in results.items() if not r.created} == {
        key[1]: s.row.id for key, s in stored.items()
    }


def test_given_a_stored_lead_when_its_status_changes_then_the_change_and_history_are_recorded(
    session: Session,
) -> None:
    working = lead(status=Status.WORKING)
    upsert_leads(session, [working], NOW)
    nurtured = replace(
        working, status=Status.NURTURE, nurture_reason="Bad Timing", modified_at=LATER,
        status_changed_at=LATER - timedelta(minutes=5),
    )  # fmt: skip

    results = upsert_leads(session, [nurtured], LATER)
    record_status_changes(session, [nurtured], results, LATER, run_id=None)

    result = results[lead_key(nurtured)]
    assert (result.previous_status, result.status_changed) == ("working", True)
    change = session.scalars(select(StatusChange).where(StatusChange.from_status.is_not(None)))
    assert [(c.from_status, c.to_status, c.changed_at, c.observed_at) for c in change] == [
        ("working", "nurture", LATER - timedelta(minutes=5), LATER)
    ]
    row = session.get(LeadRow, result.lead_id)
    assert row is not None and row.nurture_reason == "Bad Timing" and row.updated_at == LATER


def test_given_a_newer_stored_lead_when_an_older_copy_arrives_then_it_is_not_rolled_back(
    session: Session,
) -> None:
    current = lead(status=Status.UNQUALIFIED, modified_at=LATER)
    upsert_leads(session, [current], LATER)

    results = upsert_leads(
        session, [replace(current, status=Status.WORKING, modified_at=NOW)], LATER
    )

    assert results[lead_key(current)].stale
    assert session.scalars(select(LeadRow.status)).one() == "unqualified"


def test_given_one_key_twice_in_a_page_when_upserted_then_the_latest_modstamp_wins(
    session: Session,
) -> None:
    older = lead(status=Status.WORKING, modified_at=NOW)
    newer = replace(older, status=Status.NURTURE, modified_at=LATER)

    upsert_leads(session, [newer, older], LATER)

    assert session.scalars(select(LeadRow.status)).all() == ["nurture"]


def test_given_a_stored_lead_when_loaded_then_the_domain_lead_round_trips_with_its_raw_payload(
    session: Session,
) -> None:
    original = lead(
        status=None, raw_status="Mystery", phone="+441234567890", score=87.5, wants_call=True,
        converted_at=NOW, is_deleted=True, merged_into="00QOTHER", review_flag="check reason",
        email=None, email_invalid=True,
        raw={"Id": "00Q000000000001AAA", "Status": "Mystery", "nested": {"a": [1, 2]}},
    )  # fmt: skip
    results = upsert_leads(session, [original], NOW)
    store_raw_payloads(session, {results[lead_key(original)].lead_id: original.raw}, NOW)
    session.commit()
    session.expunge_all()

    loaded = load_leads(session, [lead_key(original)], with_raw=True)

    assert loaded == {lead_key(original): original}
    assert loaded[lead_key(original)].raw == original.raw
    assert load_leads(session, [("salesforce", "missing")]) == {}


def test_given_a_loaded_lead_when_it_is_upserted_in_the_same_session_then_a_reload_sees_it(
    session: Session,
) -> None:
    working = lead(status=Status.WORKING)
    upsert_leads(session, [working], NOW)
    held = session.scalars(select(LeadRow)).one()  # some caller keeps the ORM row alive

    upsert_leads(session, [replace(working, status=Status.NURTURE, modified_at=LATER)], LATER)

    assert load_leads(session, [lead_key(working)])[lead_key(working)].status is Status.NURTURE
    assert held.status == "nurture"


def test_given_one_key_twice_in_a_page_when_history_is_recorded_then_it_is_recorded_once(
    session: Session,
) -> None:
    page = [lead(modified_at=NOW), lead(status=Status.NURTURE, modified_at=LATER)]

    added = record_status_changes(session, page, upsert_leads(session, page, LATER), LATER)

    assert added == 1
    history = session.execute(select(StatusChange.from_status, StatusChange.to_status)).all()
    assert [tuple(row) for row in history] == [(None, "nurture")]


def test_given_a_raw_payload_when_a_newer_one_is_stored_then_only_the_latest_is_kept(
    session: Session,
) -> None:
    lead_id = upsert_leads(session, [lead()], NOW)[lead_key(lead())].lead_id
    store_raw_payloads(session, {lead_id: {"Status": "Working"}}, NOW)

    store_raw_payloads(session, {lead_id: {"Status": "Nurture"}}, LATER)
    session.expire_all()

    payload = session.get(RawPayload, lead_id)
    assert payload is not None and payload.payload == {"Status": "Nurture"}
    assert payload.fetched_at == LATER and _count(session, RawPayload) == 1


def test_given_a_page_of_2000_leads_when_upserted_then_every_lead_gets_its_own_id(
    session: Session,
) -> None:
    leads = [lead(external_id=f"00Q{i:015d}", email=f"p{i}@example.com") for i in range(2000)]

    results = upsert_leads(session, leads, NOW)

    assert len({r.lead_id for r in results.values()}) == 2000
    stored = {row.id: row.email for row in session.execute(select(LeadRow.id, LeadRow.email))}
    assert all(stored[results[lead_key(x)].lead_id] == x.email for x in leads)


def test_given_no_cursor_when_one_is_set_then_it_is_read_back_and_can_advance(
    session: Session,
) -> None:
    assert get_cursor(session, "salesforce", "leads") is None
    first = Position(datetime(2026, 3, 1, tzinfo=UTC), "00QA")

    set_cursor(session, "salesforce", "leads", first, NOW, window_end=NOW)
    set_cursor(session, "salesforce", "leads", Position(NOW, "00QB"), LATER, window_end=NOW)

    assert get_cursor(session, "salesforce", "leads") == Position(NOW, "00QB")
    assert get_cursor(session, "hubspot", "leads") is None


def test_given_a_window_end_when_the_cursor_would_pass_it_then_it_is_refused(
    session: Session,
) -> None:
    with pytest.raises(ValueError, match="past the window end"):
        set_cursor(session, "salesforce", "leads", Position(LATER, "00QA"), LATER, window_end=NOW)
