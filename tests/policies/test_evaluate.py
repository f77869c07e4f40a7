"""Spec: evaluate() merges the policies into one consistent result, and owns the review flag."""

from __future__ import annotations

from datetime import datetime

import pytest

from sync.domain import Lead, Status
from sync.pipeline.policies import (
    REVIEW_FLAG_PREFIX,
    Change,
    Evaluation,
    Finding,
    Policy,
    PolicyContext,
    apply,
    crm_value,
    evaluate,
)
from tests.builders import NOW, lead
from tests.policies.support import CATALOGUE, config, context

ALL_FLAG = config(
    **{
        name: {"mode": "flag"}
        for name in (
            "clear_reasons_on_exit",
            "require_reason",
            "reason_vocabulary",
            "reason_status_mismatch",
        )
    }
)


def test_given_lingering_legacy_reason_when_evaluated_then_cleared_not_remapped() -> None:
    current = lead(
        status=Status.NURTURE, nurture_reason="Bad Timing", unqualified_reason="Went dark"
    )

    result = evaluate(current, lead(status=Status.UNQUALIFIED), context())

    assert result == Evaluation(
        corrections=(
            Change(
                "unqualified_reason",
                "Went dark",
                None,
                "clear_reasons_on_exit",
                "unqualified reason does not apply to status nurture",
            ),
        )
    )


def test_given_clear_reported_and_vocabulary_fixing_then_findings_describe_the_fixed_lead() -> None:
    """Findings are those of the lead as it reads once the corrections are written."""
    ctx = context(config=config(clear_reasons_on_exit={"mode": "report"}))
    current = lead(status=Status.WORKING, nurture_reason="Call me later")

    result = evaluate(current, None, ctx)

    assert [(c.field, c.old, c.new) for c in result.corrections] == [
        ("nurture_reason", "Call me later", "bad_timing")
    ]
    assert [(f.code, f.evidence["value"]) for f in result.findings] == [
        ("lingering_reason", "Bad Timing")
    ]


def test_given_several_flags_when_evaluated_then_one_combined_review_flag() -> None:
    current = lead(status=Status.NURTURE, unqualified_reason="Not interested")

    result = evaluate(current, None, context(config=ALL_FLAG))

    assert result.corrections == (
        Change(
            field="review_flag",
            old=None,
            new="leadloop: nurture without a reason since 2026-01-06; "
            "unqualified reason 'Not interested' could mean bad_timing, unresponsive; "
            "unqualified reason 'Not interested' no longer applies",
            policy="review_flag",
            reason="flagged by clear_reasons_on_exit, require_reason, reason_vocabulary",
        ),
    )
    assert [f.policy for f in result.findings] == [
        "clear_reasons_on_exit",
        "require_reason",
        "reason_vocabulary",
    ]


def test_given_flag_already_written_when_evaluated_again_then_no_write() -> None:
    flag = "leadloop: unqualified without a reason since 2026-01-06"
    current = lead(status=Status.UNQUALIFIED, review_flag=flag)

    result = evaluate(current, None, context())

    assert result.corrections == ()
    assert result.findings[0].flag == "unqualified without a reason since 2026-01-06"


def test_given_our_flag_and_nothing_left_to_flag_then_flag_cleared() -> None:
    current = lead(
        status=Status.UNQUALIFIED,
        unqualified_reason="Competitor",
        review_flag="leadloop: unqualified without a reason since 2026-01-06",
    )

    result = evaluate(current, None, context())

    assert result.corrections == (
        Change("review_flag", current.review_flag, None, "review_flag", "nothing left to flag"),
    )


@pytest.mark.parametrize("note", ["call back after the trade fair", "", "  "])
def test_given_human_note_in_flag_field_and_nothing_to_flag_then_left_alone(note: str) -> None:
    current = lead(status=Status.UNQUALIFIED, unqualified_reason="Competitor", review_flag=note)

    assert evaluate(current, None, context()) == Evaluation()


def test_given_many_long_flags_then_flag_fits_a_255_char_text_field() -> None:
    """Emoji count twice in Salesforce's UTF-16 length; the cut keeps the text under it."""
    current = lead(status=Status.WORKING, nurture_reason="🚀" * 60, unqualified_reason="🦄" * 60)

    result = evaluate(current, None, context(config=ALL_FLAG))

    (flag,) = [c.new for c in result.corrections]
    assert flag is not None and flag.startswith(REVIEW_FLAG_PREFIX) and flag.endswith("…")
    assert len(flag.encode("utf-16-le")) // 2 <= 255


def test_given_flag_text_with_line_breaks_then_flag_is_one_printable_line() -> None:
    current = lead(status=Status.UNQUALIFIED, unqualified_reason="lost\r\nto\tcompetitor\x00")

    result = evaluate(current, None, context(config=ALL_FLAG))

    assert result.corrections[0].new == (
        "leadloop: unqualified reason 'lost to competitor' is not in the reason catalogue"
    )
    assert result.findings[0].evidence["value"] == "lost\r\nto\tcompetitor\x00"


def test_given_converted_lead_then_nothing_written_not_even_a_stale_flag() -> None:
    current = lead(
        status=Status.CONVERTED,
        converted_at=NOW,
        nurture_reason="Bad Timing",
        review_flag="leadloop: old",
    )

    result = evaluate(current, None, context())

    assert result.corrections == ()
    assert {f.code for f in result.findings} == {"lingering_reason"}
    assert all("CANNOT_UPDATE_CONVERTED_LEAD" in f.evidence["note"] for f in result.findings)


@pytest.mark.parametrize("mode", ["report", "flag", "fix"])
def test_modes_on_one_messy_lead(mode: str) -> None:
    """Given a working lead holding a legacy nurture reason, when evaluated in each mode,
    then report gives findings, flag gives findings plus one flag, fix gives the fix only."""
    settings = config(
        **{name: {"mode": mode} for name in ("clear_reasons_on_exit", "reason_vocabulary")}
    )
    current = lead(status=Status.WORKING, nurture_reason="Call me later")

    result = evaluate(current, None, context(config=settings))

    fields = [c.field for c in result.corrections]
    codes = [f.code for f in result.findings]
    expected = {
        "report": ([], ["lingering_reason", "remappable_reason"]),
        "flag": (["review_flag"], ["lingering_reason", "remappable_reason"]),
        "fix": (["nurture_reason"], []),
    }
    assert (fields, codes) == expected[mode]
    assert [c.new for c in result.corrections if c.field == "nurture_reason"] in ([], [None])


def test_finding_keys_are_unique_and_findings_sorted() -> None:
    current = lead(
        status=Status.UNQUALIFIED,
        nurture_reason="Dead lead",
        unqualified_reason="Bad Timing",
        wants_call=True,
    )
    ctx = context(
        config=config(clear_reasons_on_exit={"mode": "report"}, wants_call_reopen={"enabled": True})
    )

    findings = evaluate(current, None, ctx).findings

    assert [f.key for f in findings] == [
        "clear_reasons_on_exit:lingering_reason:nurture_reason",
        "reason_status_mismatch:reason_of_other_status:nurture_reason",
        "reason_status_mismatch:reason_of_other_status:unqualified_reason",
        "wants_call_reopen:disqualified_lead_wants_call:status",
    ]


def test_crm_value_translates_reason_codes_only() -> None:
    ctx = context()

    assert crm_value(Change("nurture_reason", "x", "bad_timing", "p", "r"), ctx) == ("Bad Timing")
    assert crm_value(Change("nurture_reason", "x", None, "p", "r"), ctx) is None
    assert crm_value(Change("status", "new", "nurture", "p", "r"), ctx) == "nurture"


def test_context_refuses_a_naive_now() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        PolicyContext(catalogue=CATALOGUE, crm="salesforce", now=datetime(2026, 3, 10))  # noqa: DTZ001


def test_apply_sets_status_and_flag() -> None:
    corrections = [
        Change("status", "new", "nurture", "p", "r"),
        Change("review_flag", None, "leadloop: x", "review_flag", "r"),
    ]

    after = apply(lead(status=Status.NEW), corrections, context())

    assert (after.status, after.review_flag) == (Status.NURTURE, "leadloop: x")


def _proposing(name: str, code: str) -> Policy:
    """A stand-in policy (registered under an existing name) that remaps the nurture reason."""

    def check(current: Lead, previous: Lead | None, ctx: PolicyContext) -> Evaluation:
        if current.nurture_reason == "Call me later":
            return Evaluation(
                corrections=(Change("nurture_reason", current.nurture_reason, code, name, "test"),)
            )
        return Evaluation()

    return Policy(name, check)


def test_given_two_policies_disagreeing_on_a_value_then_the_earlier_registered_name_wins() -> None:
    """The tie-break is the documented policy order, not the order the policies ran in."""
    first = _proposing("reason_vocabulary", "no_budget_now")
    second = _proposing("reason_status_mismatch", "bad_timing")
    current = lead(status=Status.NURTURE, nurture_reason="Call me later")

    for order in ([first, second], [second, first]):
        result = evaluate(current, None, context(), order)
        assert [(c.new, c.policy) for c in result.corrections] == [
            ("no_budget_now", "reason_vocabulary")
        ]


def test_given_a_policy_that_never_settles_then_evaluation_still_terminates() -> None:
    """Rounds are bounded: a (buggy) policy flip-flopping a value cannot hang a run."""

    def flip(current: Lead, previous: Lead | None, ctx: PolicyContext) -> Evaluation:
        new = "competitor" if current.unqualified_reason == "Unresponsive" else "unresponsive"
        return Evaluation(
            corrections=(
                Change(
                    "unqualified_reason",
                    current.unqualified_reason,
                    new,
                    "reason_vocabulary",
                    "flip",
                ),
            ),
            findings=(
                Finding(
                    "reason_vocabulary",
                    "flip",
                    "info",
                    current.unqualified_reason or "",
                    field="unqualified_reason",
                ),
            ),
        )

    current = lead(status=Status.UNQUALIFIED, unqualified_reason="Unresponsive")

    result = evaluate(current, None, context(), [Policy("reason_vocabulary", flip)])

    settled = apply(current, result.corrections, context())
    assert [f.message for f in result.findings] == [settled.unqualified_reason]


def test_given_field_the_mapping_cannot_write_when_fix_mode_then_flagged_with_a_note() -> None:
    ctx = context(writable=frozenset({"status", "nurture_reason"}))
    current = lead(status=Status.WORKING, unqualified_reason="Competitor")

    result = evaluate(current, None, ctx)

    assert [c.field for c in result.corrections] == ["review_flag"]
    (finding,) = result.findings
    assert finding.evidence["action"] == "flagged"
    assert finding.evidence["note"] == (
        "not fixed: the mapping does not let leadloop write unqualified_reason"
    )


def test_given_unwritable_field_and_no_flag_field_then_both_notes_reported() -> None:
    ctx = context(writable=frozenset(), review_flag=False)

    result = evaluate(lead(status=Status.WORKING, unqualified_reason="Competitor"), None, ctx)

    assert result.corrections == ()
    assert result.findings[0].evidence["note"] == (
        "not fixed: the mapping does not let leadloop write unqualified_reason; "
        "not flagged: the mapping has no review flag field"
    )
