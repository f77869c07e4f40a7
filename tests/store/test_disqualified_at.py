"""``leads.disqualified_at``: the start of the lead's latest spell in nurture or unqualified,
kept on the lead as the status history is written (feedback reads it there)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from sync.domain import Status
from sync.store.history import FIRST_SEEN, record_status_changes, verify_first_seen
from sync.store.leads import lead_key, upsert_leads
from sync.store.models import LeadRow
from tests.builders import NOW, lead
from tests.feedback.support import story


def _stored_after_each_step(session: Session, copies: list) -> list[datetime | None]:
    """Store the copies as successive pulls; the lead's disqualified_at after each."""
    found = []
    for step, copy in enumerate(copies):
        observed = NOW + timedelta(days=step, minutes=5)
        record_status_changes(session, [copy], upsert_leads(session, [copy], observed), observed)
        found.append(session.scalar(select(LeadRow.disqualified_at)))
    return found


def test_given_a_lead_in_and_out_of_nurture_and_unqualified_then_its_latest_spell_start_is_kept(
    session: Session,
) -> None:
    at = [NOW + timedelta(days=day) for day in range(6)]
    copies = story(
        "00QA",
        [(Status.NEW, at[0]), (Status.NURTURE, at[1]), (Status.UNQUALIFIED, at[2]),
         (Status.WORKING, at[3]), (Status.UNQUALIFIED, at[4]), (Status.CONVERTED, at[5])],
    )  # fmt: skip

    found = _stored_after_each_step(session, copies)

    # nurture -> unqualified is one spell; working -> unqualified starts another; leaving
    # keeps the last start (feedback reads it only while the lead is disqualified)
    assert found == [None, at[1], at[1], at[1], at[4], at[4]]


def test_given_a_lead_first_seen_disqualified_then_it_was_disqualified_when_first_seen_so(
    session: Session,
) -> None:
    first = lead(external_id="00QB", status=Status.UNQUALIFIED, status_changed_at=NOW)

    assert _stored_after_each_step(session, [first]) == [NOW]


def test_given_a_first_seen_time_verified_earlier_then_the_spell_starts_at_the_verified_time(
    session: Session,
) -> None:
    first = lead(external_id="00QC", status=Status.NURTURE, status_changed_at=NOW)
    results = upsert_leads(session, [first], NOW)
    record_status_changes(session, [first], results, NOW, bases={lead_key(first): FIRST_SEEN})
    earlier = NOW - timedelta(days=30)

    verify_first_seen(session, {results[lead_key(first)].lead_id: earlier})

    assert session.scalar(select(LeadRow.disqualified_at)) == earlier
