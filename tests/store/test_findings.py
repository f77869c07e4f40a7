"""Findings in the store: opened, kept, resolved; names longer than the column are cut alike."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from sync.pipeline.policies import Finding
from sync.store.findings import sync_findings
from sync.store.leads import upsert_leads
from sync.store.models import FindingRow
from tests.builders import NOW, lead

#: a HubSpot property name longer than the findings' field column (64 characters)
LONG = "custom_property_with_a_very_long_internal_name_imported_from_a_form_2026"


def _finding(field: str, policy: str = "normalize") -> Finding:
    return Finding(
        policy=policy, code="bad_characters", severity="warning", message="m", field=field
    )


def test_given_a_field_name_longer_than_its_column_when_synced_twice_then_one_open_finding(
    session: Session,
) -> None:
    (result,) = upsert_leads(session, [lead()], NOW).values()

    opened = sync_findings(session, {result.lead_id: [_finding(LONG)]}, None, NOW)
    again = sync_findings(session, {result.lead_id: [_finding(LONG)]}, None, NOW + timedelta(1))

    rows = session.scalars(select(FindingRow)).all()
    assert (opened, again) == (1, 0)
    assert [(r.field, r.resolved_at) for r in rows] == [(LONG[:64], None)]


def test_given_only_one_policy_when_synced_then_the_others_stay_open(session: Session) -> None:
    (result,) = upsert_leads(session, [lead()], NOW).values()
    sync_findings(
        session, {result.lead_id: [_finding("email"), _finding("email", "other")]}, None, NOW
    )

    sync_findings(session, {result.lead_id: []}, None, NOW, only=frozenset({"other"}))

    rows = {r.policy: r.resolved_at for r in session.scalars(select(FindingRow))}
    assert rows == {"normalize": None, "other": NOW}
