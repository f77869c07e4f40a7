"""Funnel metrics and the owner scorecard, against numbers computed by hand
(tests/feedback/dataset.py), on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import astuple
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from sync.feedback.aggregate import counted
from sync.store.models import LeadRow, OutboxItem
from sync.store.owners import OwnerRow
from tests.feedback.dataset import NOW, at
from tests.feedback.support import settings_for

BERLIN = "  timezone: Europe/Berlin\n"


def _funnel(session: Session, tmp_path: Path, *dimensions: str, **options: object) -> list[tuple]:
    settings = settings_for(tmp_path, "sqlite://", BERLIN)
    with counted(session, settings, NOW) as found:
        rows = found.funnel(dimensions, **options)  # type: ignore[arg-type]
    return [tuple(round(v, 9) if isinstance(v, float) else v for v in astuple(r)) for r in rows]


def test_given_the_dataset_when_split_by_source_then_every_funnel_metric_is_as_computed(
    stored: Session, tmp_path: Path
) -> None:
    # salesforce: 10 counted leads (x1 deleted and x2 merged away are not), 8 disqualified
    # (4 nurture, 4 unqualified), 1 converted; 6 of the 8 with a catalogue reason (a4 has
    # none, a5 "Other"), 2 vague or legacy (a3 "No Budget", a5 "Other"). Days from creation to
    # disqualification: 11, 12, 12, 13, 14, 14.5625, 23, 24 -> median 13.5. c1: 28 days.
    # hubspot: h1 disqualified after 6 days, h2 a customer after 21.
    assert _funnel(stored, tmp_path, "source") == [
        (("hubspot",), 2, 1, 1, 0, 1, 1, 0, 0.5, 0.5, 0.5, 1.0, 0.0, 6.0, 21.0, None),
        (("salesforce",), 10, 8, 4, 4, 1, 6, 2, 0.8, 0.4, 0.1, 0.75, 0.25, 13.5, 28.0, None),
    ]


def test_given_weeks_of_creation_then_each_cohort_has_its_own_funnel(
    stored: Session, tmp_path: Path
) -> None:
    rows = {r[0]: r[1:8] for r in _funnel(stored, tmp_path, "campaign", kind="week")}

    # created in the week of 16 Feb (Spring): a1-a5 (disqualified), x3 (reopened)
    assert rows[("2026-02-16", "Spring")] == (6, 5, 3, 2, 0, 3, 2)
    # created in the week of 9 Feb: b1 (Summer)
    assert rows[("2026-02-09", "Summer")] == (1, 1, 1, 0, 0, 1, 0)
    # the week of 26 Jan (Mon) holds 1 Feb (Sun): b2, b3 (Summer), c1 (Spring)
    assert rows[("2026-01-26", "Summer")] == (2, 2, 0, 2, 0, 2, 0)
    assert rows[("2026-01-26", "Spring")] == (1, 0, 0, 0, 1, 0, 0)


def test_given_a_reason_cleared_by_leadloop_then_its_linger_is_the_time_since_the_lead_left(
    stored: Session, tmp_path: Path
) -> None:
    # x3 left nurture on 4 Mar 10:00; leadloop's write cleared the reason at 16:00 (0.25 d);
    # c1 was first seen as new (1 Feb 10:00) with a nurture reason: stale since (31.25 d)
    leads = {lead.external_id: lead for lead in stored.scalars(select(LeadRow))}
    for external_id, field, state, applied in [
        ("x3", "nurture_reason", "sent", True), ("x3", "review_flag", "sent", True),
        ("x3", "unqualified_reason", "dead", False), ("c1", "nurture_reason", "sent", True),
    ]:  # fmt: skip
        stored.add(_cleared(leads[external_id], field, state, applied))
    stored.commit()

    salesforce = _funnel(stored, tmp_path, "source")[1]

    assert salesforce[-1] == (0.25 + 31.25) / 2


def test_given_since_a_day_then_only_leads_created_from_it_are_in_the_cohort(
    stored: Session, tmp_path: Path
) -> None:
    rows = _funnel(stored, tmp_path, "source")
    later = _funnel_since(stored, tmp_path, date(2026, 2, 20))

    assert [r[1] for r in rows] == [2, 10]
    # created on or after 20 Feb (Berlin): h1 (hubspot); a1-a5, x3 (salesforce)
    assert [(r[0], r[1]) for r in later] == [(("hubspot",), 1), (("salesforce",), 6)]


def test_given_the_dataset_then_the_owner_scorecard_credits_reasons_that_fed_a_rule(
    stored: Session, tmp_path: Path
) -> None:
    settings = settings_for(tmp_path, "sqlite://", BERLIN)
    with counted(stored, settings, NOW) as found:
        found.hold([("2026-03-02", "salesforce", "Webinar", "Spring", "unresponsive")])
        rows = found.owners("week")

    assert rows == [
        OwnerRow("rep-a", 5, 3, 0.6, 2, 2),  # a1-a5; a1, a2 fed the unresponsive rule
        OwnerRow("rep-b", 3, 3, 1.0, 0, 0),
        OwnerRow("hs-1", 1, 1, 1.0, 0, 0),
    ]


def test_given_an_unknown_dimension_then_it_is_refused(stored: Session, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown funnel dimension 'region'"):
        _funnel(stored, tmp_path, "region")


def _funnel_since(session: Session, tmp_path: Path, since: date) -> list[tuple]:
    settings = settings_for(tmp_path, "sqlite://", BERLIN)
    with counted(session, settings, NOW, since=since) as found:
        return [astuple(r) for r in found.funnel(["source"])]


def _cleared(lead: LeadRow, field: str, state: str, applied: bool) -> OutboxItem:
    sent = at(3, 4, 16)
    return OutboxItem(
        idempotency_key=f"{lead.id}:{field}:{state}", lead_id=lead.id, source=lead.source,
        external_id=lead.external_id, field=field, crm_field=field, old_value="Unresponsive",
        new_value=None, policy="clear_reasons_on_exit", state=state, attempts=1,
        created_at=sent - timedelta(hours=1), sent_at=sent if state == "sent" else None,
        applied=applied,
    )  # fmt: skip
