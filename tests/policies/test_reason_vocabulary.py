"""Spec: reason_vocabulary remaps unambiguous legacy values the CRM accepts, flags the rest;
reason_status_mismatch flags a reason of the other status and never fixes it."""

from __future__ import annotations

import pytest

from sync.domain import Status
from sync.pipeline.policies import Change, Evaluation, apply, evaluate
from tests.builders import lead
from tests.policies.support import config, context, only


def vocabulary(current: object, **ctx: object) -> Evaluation:
    return evaluate(current, None, context(**ctx), only("reason_vocabulary"))  # type: ignore[arg-type]


def test_given_unambiguous_legacy_value_when_fix_mode_then_remapped_to_the_code() -> None:
    current = lead(status=Status.NURTURE, nurture_reason="Call me later")

    result = vocabulary(current)

    assert result == Evaluation(
        corrections=(
            Change(
                field="nurture_reason",
                old="Call me later",
                new="bad_timing",
                policy="reason_vocabulary",
                reason="legacy value 'Call me later' means bad_timing",
            ),
        )
    )
    assert apply(current, result.corrections, context()).nurture_reason == "Bad Timing"


@pytest.mark.parametrize("value", ["bad timing", " Bad Timing ", "bad_timing", "BAD TIMING"])
def test_given_near_canonical_spelling_when_fix_mode_then_normalized(value: str) -> None:
    result = vocabulary(lead(status=Status.NURTURE, nurture_reason=value))

    assert [(c.old, c.new) for c in result.corrections] == [(value, "bad_timing")]


def test_given_canonical_value_when_evaluated_then_nothing() -> None:
    assert vocabulary(lead(status=Status.NURTURE, nurture_reason="Bad Timing")) == Evaluation()


def test_given_restricted_picklist_without_target_when_fix_mode_then_flagged_instead() -> None:
    options = {"unqualified_reason": frozenset({"Competitor", "Went dark"})}
    current = lead(status=Status.UNQUALIFIED, unqualified_reason="Went dark")

    result = vocabulary(current, field_options=options)

    (finding,) = result.findings
    assert (finding.code, finding.severity) == ("target_not_accepted", "warning")
    assert finding.evidence["target_value"] == "Unresponsive"
    assert [c.field for c in result.corrections] == ["review_flag"]
    assert result.corrections[0].new == (
        "leadloop: unqualified reason 'Went dark' should be 'Unresponsive'"
    )


def test_given_restricted_picklist_with_target_when_fix_mode_then_remapped() -> None:
    options = {"unqualified_reason": frozenset({"Unresponsive"}), "nurture_reason": None}
    current = lead(status=Status.UNQUALIFIED, unqualified_reason="Went dark")

    result = vocabulary(current, field_options=options)

    assert [(c.field, c.new) for c in result.corrections] == [
        ("unqualified_reason", "unresponsive")
    ]


def test_given_ambiguous_value_when_fix_mode_then_flagged_with_candidates() -> None:
    current = lead(status=Status.NURTURE, nurture_reason="Not interested")

    result = vocabulary(current)

    (finding,) = result.findings
    assert finding.code == "ambiguous_reason"
    assert finding.evidence["candidates"] == [
        {"code": "bad_timing", "status": "nurture"},
        {"code": "unresponsive", "status": "unqualified"},
    ]
    assert result.corrections[0].field == "review_flag"


def test_given_unknown_value_when_report_mode_then_finding_only() -> None:
    ctx_config = config(reason_vocabulary={"mode": "report"})
    current = lead(status=Status.UNQUALIFIED, unqualified_reason="🙃 idk")

    result = vocabulary(current, config=ctx_config)

    assert result.corrections == ()
    (finding,) = result.findings
    assert (finding.code, finding.evidence["candidates"]) == ("unknown_reason", [])
    assert finding.message == (
        "unqualified reason '🙃 idk' is not in the reason catalogue: a human has to pick the reason"
    )


def test_given_remappable_value_when_report_mode_then_info_finding_with_target() -> None:
    result = vocabulary(
        lead(status=Status.NURTURE, nurture_reason="Call me later"),
        config=config(reason_vocabulary={"mode": "report"}),
    )

    assert result.corrections == ()
    (finding,) = result.findings
    assert (finding.code, finding.severity) == ("remappable_reason", "info")
    assert finding.evidence["target_value"] == "Bad Timing"


def test_given_remappable_value_when_flag_mode_then_flag_suggests_the_value() -> None:
    result = vocabulary(
        lead(status=Status.NURTURE, nurture_reason="Call me later"),
        config=config(reason_vocabulary={"mode": "flag"}),
    )

    assert [c.new for c in result.corrections] == [
        "leadloop: nurture reason 'Call me later' should be 'Bad Timing'"
    ]


def test_given_hubspot_context_when_remapping_then_uses_hubspot_values() -> None:
    current = lead(source="hubspot", status=Status.NURTURE, nurture_reason="bad timing")

    result = vocabulary(current, crm="hubspot")

    assert [c.new for c in result.corrections] == ["bad_timing"]
    assert apply(current, result.corrections, context(crm="hubspot")).nurture_reason == (
        "BAD_TIMING"
    )


@pytest.mark.parametrize(
    ("field", "value", "candidates"),
    [
        ("unqualified_reason", "Bad Timing", ["bad_timing"]),  # canonical nurture value
        ("nurture_reason", "Went dark", ["unresponsive"]),  # legacy unqualified value
        ("nurture_reason", "Dead lead", ["unresponsive", "wrong_persona"]),
    ],
)
def test_given_reason_of_other_status_when_evaluated_then_mismatch_flagged_never_fixed(
    field: str, value: str, candidates: list[str]
) -> None:
    status = Status.UNQUALIFIED if field == "unqualified_reason" else Status.NURTURE
    current = lead(status=status, **{field: value})
    ctx = context(config=config(reason_status_mismatch={"mode": "fix"}))

    result = evaluate(current, None, ctx, only("reason_status_mismatch"))
    vocab = evaluate(current, None, ctx, only("reason_vocabulary"))

    (finding,) = result.findings
    assert (finding.code, finding.field) == ("reason_of_other_status", field)
    assert [c["code"] for c in finding.evidence["candidates"]] == candidates
    assert [c.field for c in result.corrections] == ["review_flag"]
    assert vocab == Evaluation()  # the value is judged once, by the mismatch policy


def test_given_ambiguous_value_spanning_both_statuses_then_no_mismatch() -> None:
    current = lead(status=Status.UNQUALIFIED, unqualified_reason="Not interested")

    assert evaluate(current, None, context(), only("reason_status_mismatch")) == Evaluation()
