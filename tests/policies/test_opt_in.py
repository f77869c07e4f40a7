"""Spec: the opt-in policies low_score_nurture and wants_call_reopen."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from sync.domain import Status
from sync.pipeline.policies import Change, Evaluation, apply, evaluate
from tests.builders import NOW, lead
from tests.policies.support import CATALOGUE, config, context

MIN_AGE = timedelta(days=30)  # the default
LOW_SCORE_FIX = config(low_score_nurture={"enabled": True, "mode": "fix", "threshold": 20})


def stale_low_scorer(**overrides: Any) -> Any:
    values = {"status": Status.NEW, "score": 5.0, "created_at": NOW - timedelta(days=40)}
    return lead(**{**values, **overrides})


def test_given_default_config_when_low_scorer_asks_for_a_call_then_opt_ins_stay_silent() -> None:
    """Opt-ins are off by default: neither a stale low scorer nor a call request is reported."""
    result = evaluate(stale_low_scorer(), None, context())
    disqualified = evaluate(
        lead(status=Status.UNQUALIFIED, unqualified_reason="Competitor", wants_call=True),
        None,
        context(),
    )

    assert result == Evaluation()
    assert disqualified == Evaluation()


def test_given_stale_low_scorer_when_fix_mode_then_nurtured_with_reason_in_one_step() -> None:
    ctx = context(config=LOW_SCORE_FIX)
    current = stale_low_scorer()

    result = evaluate(current, None, ctx)

    assert result.corrections == (
        Change("status", "new", "nurture", "low_score_nurture", "low interest score on a new lead"),
        Change(
            "nurture_reason",
            None,
            "low_interest_score",
            "low_score_nurture",
            "low interest score on a new lead",
        ),
    )
    after = apply(current, result.corrections, ctx)
    assert (after.status, after.nurture_reason) == (Status.NURTURE, "Low Interest Score")
    assert evaluate(after, current, ctx) == Evaluation()


@pytest.mark.parametrize(
    ("overrides", "moved"),
    [
        ({"score": 19.99}, True),
        ({"score": 20.0}, False),  # "under the threshold" is strict
        ({"created_at": NOW - MIN_AGE}, True),  # old enough at exactly min_age
        ({"created_at": NOW - MIN_AGE + timedelta(seconds=1)}, False),
        ({"score": None}, False),
        ({"score": float("nan")}, False),
        ({"created_at": None}, False),
        ({"wants_call": True}, False),  # asked for a call: never pushed to nurture
        ({"status": Status.WORKING}, False),
    ],
)
def test_low_score_boundaries(overrides: dict[str, Any], moved: bool) -> None:
    """Given a new lead with ``overrides``, when evaluated in fix mode, then it is moved to
    nurture only when scored under the threshold and at least min_age old."""
    result = evaluate(stale_low_scorer(**overrides), None, context(config=LOW_SCORE_FIX))

    assert any(c.field == "status" for c in result.corrections) is moved


def test_given_lingering_reasons_when_nurtured_then_low_score_reason_beats_clear() -> None:
    """The policy that sets the status names the reason of that status; the unqualified
    reason, which belongs to neither new nor nurture, is cleared."""
    current = stale_low_scorer(nurture_reason="Call me later", unqualified_reason="Went dark")

    result = evaluate(current, None, context(config=LOW_SCORE_FIX))

    assert [(c.field, c.old, c.new, c.policy) for c in result.corrections] == [
        ("status", "new", "nurture", "low_score_nurture"),
        ("nurture_reason", "Call me later", "low_interest_score", "low_score_nurture"),
        ("unqualified_reason", "Went dark", None, "clear_reasons_on_exit"),
    ]


def test_given_report_mode_when_stale_low_scorer_then_info_finding() -> None:
    ctx = context(config=config(low_score_nurture={"enabled": True}))

    result = evaluate(stale_low_scorer(), None, ctx)

    assert result.corrections == ()
    (finding,) = result.findings
    assert (finding.code, finding.severity) == ("low_score_new_lead", "info")
    assert finding.evidence == {
        "score": 5.0,
        "threshold": 20.0,
        "created_at": "2026-01-29T12:00:00+00:00",
        "min_age": "30d",
        "action": "reported",
    }


def test_given_picklist_without_the_reason_when_fix_mode_then_fix_withheld_and_flagged() -> None:
    options = {"nurture_reason": frozenset({"Bad Timing"})}

    result = evaluate(
        stale_low_scorer(), None, context(config=LOW_SCORE_FIX, field_options=options)
    )

    assert [c.field for c in result.corrections] == ["review_flag"]
    assert "fix_withheld" in result.findings[0].evidence


@pytest.mark.parametrize("code", ["no_such_reason", "unresponsive"])
def test_given_reason_code_not_a_nurture_reason_then_error_finding_and_nothing_moved(
    code: str,
) -> None:
    settings = config(low_score_nurture={"enabled": True, "mode": "fix", "reason_code": code})

    result = evaluate(stale_low_scorer(), None, context(config=settings))

    assert result.corrections == ()
    assert [(f.code, f.severity) for f in result.findings] == [("bad_reason_code", "error")]


@pytest.mark.parametrize("status", [Status.NURTURE, Status.UNQUALIFIED])
def test_given_disqualified_lead_asking_for_a_call_then_warning_for_sales(status: Status) -> None:
    ctx = context(config=config(wants_call_reopen={"enabled": True}))
    current = lead(
        status=status,
        nurture_reason="Bad Timing",
        unqualified_reason="Competitor",
        wants_call=True,
        owner="005000000000001AAA",
    )

    result = evaluate(current, None, ctx)

    wants_call = [f for f in result.findings if f.policy == "wants_call_reopen"]
    assert [(f.code, f.severity) for f in wants_call] == [
        ("disqualified_lead_wants_call", "warning")
    ]
    assert wants_call[0].evidence["owner"] == "005000000000001AAA"


def test_given_flag_mode_when_disqualified_lead_wants_call_then_review_flag() -> None:
    ctx = context(config=config(wants_call_reopen={"enabled": True, "mode": "flag"}))
    current = lead(status=Status.NURTURE, nurture_reason="Bad Timing", wants_call=True)

    result = evaluate(current, None, ctx)

    assert [c.new for c in result.corrections] == ["leadloop: asked for a call: consider reopening"]


def test_given_working_lead_wanting_a_call_then_nothing() -> None:
    ctx = context(config=config(wants_call_reopen={"enabled": True}))

    assert evaluate(lead(wants_call=True), None, ctx) == Evaluation()


def test_wants_call_reopen_refuses_fix_mode() -> None:
    with pytest.raises(ValueError, match="wants_call_reopen"):
        config(wants_call_reopen={"mode": "fix"})


@pytest.mark.parametrize(
    ("code", "errors"),
    [
        ("low_interest_score", []),
        ("nope", ["policies.low_score_nurture.reason_code: 'nope' is not in the catalogue"]),
        (
            "competitor",
            [
                "policies.low_score_nurture.reason_code: 'competitor' belongs to "
                "unqualified, expected a nurture reason"
            ],
        ),
    ],
)
def test_catalogue_errors_name_the_setting(code: str, errors: list[str]) -> None:
    """Given a reason_code, when checked against the catalogue at startup, then a bad one is
    named by its config key."""
    settings = config(low_score_nurture={"reason_code": code})

    assert settings.catalogue_errors(CATALOGUE) == errors


def test_given_status_the_mapping_cannot_write_when_fix_mode_then_nothing_half_done() -> None:
    """Status and reason move together or not at all: no nurture reason on a new lead."""
    ctx = context(config=LOW_SCORE_FIX, writable=frozenset({"nurture_reason"}))

    result = evaluate(stale_low_scorer(), None, ctx)

    assert [c.field for c in result.corrections] == ["review_flag"]
    assert result.findings[0].evidence["note"] == (
        "not fixed: the mapping does not let leadloop write status"
    )
