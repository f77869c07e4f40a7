"""Spec: require_reason flags nurture/unqualified leads left without a reason after the grace."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sync.domain import Status
from sync.pipeline.policies import Change, Evaluation, evaluate
from tests.builders import NOW, lead
from tests.policies.support import config, context, only

GRACE = timedelta(days=3)  # the default grace period


def run(**overrides: object) -> Evaluation:
    ctx = overrides.pop("ctx", None) or context()
    return evaluate(lead(**overrides), None, ctx, only("require_reason"))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("age", "overdue"),
    [
        (GRACE - timedelta(seconds=1), False),
        (GRACE, True),  # the grace period is over at exactly its length
        (GRACE + timedelta(seconds=1), True),
        (timedelta(0), False),
        (-timedelta(days=1), False),  # status change "in the future" (clock skew): not overdue
    ],
)
def test_grace_period_boundaries(age: timedelta, overdue: bool) -> None:
    """Given an unqualified lead without a reason whose status changed ``age`` ago,
    when evaluated at a frozen now, then it is flagged only once the grace period is over."""
    result = run(status=Status.UNQUALIFIED, status_changed_at=NOW - age)

    assert bool(result.findings) is overdue
    assert bool(result.corrections) is overdue


def test_given_overdue_nurture_lead_when_flag_mode_then_review_flag_names_status_and_day() -> None:
    result = run(status=Status.NURTURE, status_changed_at=NOW - timedelta(days=9))

    assert result.corrections == (
        Change(
            field="review_flag",
            old=None,
            new="leadloop: nurture without a reason since 2026-03-01",
            policy="review_flag",
            reason="flagged by require_reason",
        ),
    )
    (finding,) = result.findings
    assert (finding.code, finding.field, finding.severity) == (
        "missing_reason",
        "nurture_reason",
        "warning",
    )
    assert finding.evidence == {
        "field": "nurture_reason",
        "status": "nurture",
        "since": "2026-03-01T12:00:00+00:00",
        "grace_period": "3d",
        "action": "flagged",
    }


def test_given_a_recent_modstamp_when_the_status_is_old_then_the_modstamp_does_not_count() -> None:
    """Leadloop's own flag write moves the modstamp: the grace period must not restart."""
    result = run(
        status=Status.UNQUALIFIED,
        status_changed_at=NOW - timedelta(days=9),
        modified_at=NOW - timedelta(minutes=5),
    )

    (finding,) = result.findings
    assert finding.evidence["since"] == "2026-03-01T12:00:00+00:00"


def test_given_no_status_change_time_when_recently_created_then_past_grace_all_the_same() -> None:
    """The pipeline always sets the time (sync.pipeline.entry); without it nothing else
    counts: neither a modstamp our writes move nor a creation date."""
    result = run(status=Status.UNQUALIFIED, status_changed_at=None, created_at=NOW)

    assert result.findings[0].evidence["since"] is None


def test_given_no_timestamp_at_all_when_evaluated_then_past_grace() -> None:
    result = run(
        status=Status.UNQUALIFIED, status_changed_at=None, modified_at=None, created_at=None
    )

    (finding,) = result.findings
    assert finding.evidence["since"] is None
    assert result.corrections[0].new == "leadloop: unqualified without a reason"


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_given_blank_reason_when_overdue_then_missing(reason: str | None) -> None:
    assert run(status=Status.UNQUALIFIED, unqualified_reason=reason).findings


def test_given_reason_of_its_status_when_evaluated_then_nothing() -> None:
    assert run(status=Status.UNQUALIFIED, unqualified_reason="Unresponsive") == Evaluation()


def test_given_only_the_other_status_reason_when_evaluated_then_still_missing() -> None:
    result = run(status=Status.UNQUALIFIED, nurture_reason="Bad Timing")

    assert result.findings[0].field == "unqualified_reason"


def test_given_report_mode_when_overdue_then_finding_only() -> None:
    ctx = context(config=config(require_reason={"mode": "report"}))

    result = run(status=Status.NURTURE, ctx=ctx)

    assert result.corrections == ()
    assert result.findings[0].evidence["action"] == "reported"
    assert result.findings[0].flag is None


def test_given_fix_mode_when_overdue_then_flags_because_nobody_can_guess_a_reason() -> None:
    ctx = context(config=config(require_reason={"mode": "fix"}))

    result = run(status=Status.NURTURE, ctx=ctx)

    assert [c.field for c in result.corrections] == ["review_flag"]


def test_given_no_review_flag_field_when_flag_mode_then_degrades_to_finding() -> None:
    result = run(status=Status.NURTURE, ctx=context(review_flag=False))

    assert result.corrections == ()
    assert result.findings[0].evidence["action"] == "reported"
    assert result.findings[0].evidence["note"] == (
        "not flagged: the mapping has no review flag field"
    )


def test_given_custom_grace_when_inside_it_then_nothing() -> None:
    ctx = context(config=config(require_reason={"grace_period": "2w"}))

    assert run(status=Status.NURTURE, status_changed_at=NOW - timedelta(days=13), ctx=ctx) == (
        Evaluation()
    )
