"""Findings: opened once, touched while seen, resolved when no longer seen."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sync.store.findings import open_findings, open_or_touch_finding, resolve_findings_not_in
from sync.store.models import Finding
from sync.store.repository import lead_key, upsert_leads
from tests.builders import NOW, lead

DAY = timedelta(days=1)


def stored_lead_id(session: Session) -> int:
    return upsert_leads(session, [lead()], NOW)[lead_key(lead())].lead_id


def test_given_no_finding_when_seen_twice_then_one_finding_is_opened_and_then_touched(
    session: Session,
) -> None:
    lead_id = stored_lead_id(session)

    first, opened = open_or_touch_finding(
        session, lead_id, "require_reason", "missing_reason", NOW, message="no reason for 3 days"
    )
    again, reopened = open_or_touch_finding(
        session, lead_id, "require_reason", "missing_reason", NOW + DAY,
        message="no reason for 4 days", evidence={"days": 4},
    )  # fmt: skip

    assert (opened, reopened) == (True, False) and again.id == first.id
    assert (again.first_seen_at, again.last_seen_at) == (NOW, NOW + DAY)
    assert again.message == "no reason for 4 days" and again.evidence == {"days": 4}


def test_given_open_findings_when_a_policy_no_longer_sees_one_then_only_that_one_is_resolved(
    session: Session,
) -> None:
    lead_id = stored_lead_id(session)
    open_or_touch_finding(session, lead_id, "require_reason", "missing_reason", NOW)
    open_or_touch_finding(session, lead_id, "reason_vocabulary", "unknown_value", NOW)

    resolved = resolve_findings_not_in(
        session, lead_id, {("reason_vocabulary", "unknown_value")}, NOW + DAY
    )

    assert resolved == 1
    assert [(f.policy, f.code) for f in open_findings(session, lead_id)] == [
        ("reason_vocabulary", "unknown_value")
    ]


def test_given_a_resolved_finding_when_the_problem_returns_then_a_new_finding_is_opened(
    session: Session,
) -> None:
    lead_id = stored_lead_id(session)
    old, _ = open_or_touch_finding(session, lead_id, "require_reason", "missing_reason", NOW)
    resolve_findings_not_in(session, lead_id, set(), NOW + DAY)

    new, opened = open_or_touch_finding(
        session, lead_id, "require_reason", "missing_reason", NOW + 2 * DAY
    )

    assert opened and new.id != old.id and old.resolved_at == NOW + DAY
    assert new.first_seen_at == NOW + 2 * DAY


def test_given_an_open_finding_when_a_second_open_one_is_inserted_then_the_database_refuses(
    session: Session,
) -> None:
    lead_id = stored_lead_id(session)
    open_or_touch_finding(session, lead_id, "require_reason", "missing_reason", NOW)
    session.add(
        Finding(
            lead_id=lead_id, policy="require_reason", code="missing_reason", severity="warning",
            message="", evidence={}, first_seen_at=NOW, last_seen_at=NOW,
        )
    )  # fmt: skip

    with pytest.raises(IntegrityError):
        session.flush()
