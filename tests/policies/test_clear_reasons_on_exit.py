"""Spec: clear_reasons_on_exit clears the reason that no longer applies to the lead's status."""

from __future__ import annotations

import pytest

from sync.domain import Status
from sync.pipeline.policies import Change, evaluate
from tests.builders import NOW, lead
from tests.policies.support import config, context, only

N, U = "Bad Timing", "Unresponsive"  # a canonical nurture and unqualified value

TRANSITIONS = [
    # previous status, current status, reasons held, fields cleared
    (Status.UNQUALIFIED, Status.NURTURE, (N, U), {"unqualified_reason"}),
    (Status.NURTURE, Status.UNQUALIFIED, (N, U), {"nurture_reason"}),
    (Status.UNQUALIFIED, Status.WORKING, (None, U), {"unqualified_reason"}),
    (Status.NURTURE, Status.WORKING, (N, None), {"nurture_reason"}),
    (Status.NURTURE, Status.NEW, (N, U), {"nurture_reason", "unqualified_reason"}),
    (Status.UNQUALIFIED, Status.QUALIFIED, (N, U), {"nurture_reason", "unqualified_reason"}),
    (None, Status.WORKING, (None, U), {"unqualified_reason"}),  # first seen, reason lingers
    (Status.WORKING, Status.NURTURE, (N, None), set()),
    (Status.UNQUALIFIED, Status.UNQUALIFIED, (None, U), set()),
    (Status.NURTURE, Status.NURTURE, (N, U), {"unqualified_reason"}),
    (Status.UNQUALIFIED, Status.WORKING, ("   ", ""), set()),  # blank reasons: nothing to clear
]


@pytest.mark.parametrize(("before", "after", "reasons", "cleared"), TRANSITIONS)
def test_transition_table(
    before: Status | None, after: Status, reasons: tuple[str | None, str | None], cleared: set[str]
) -> None:
    """Given a lead that moved from ``before`` to ``after`` holding ``reasons``,
    when evaluated, then exactly the reasons not belonging to ``after`` are cleared."""
    nurture, unqualified = reasons
    current = lead(status=after, nurture_reason=nurture, unqualified_reason=unqualified)
    previous = lead(status=before) if before else None

    result = evaluate(current, previous, context(), only("clear_reasons_on_exit"))

    assert {c.field for c in result.corrections} == cleared
    assert all(c.new is None and c.old == getattr(current, c.field) for c in result.corrections)
    assert result.findings == ()


def test_given_converted_lead_with_reason_when_evaluated_then_reported_not_written() -> None:
    current = lead(status=Status.CONVERTED, converted_at=NOW, unqualified_reason=U)

    result = evaluate(
        current, lead(status=Status.UNQUALIFIED), context(), only("clear_reasons_on_exit")
    )

    assert result.corrections == ()
    (finding,) = result.findings
    assert finding.code == "lingering_reason"
    assert finding.evidence["previous_status"] == "unqualified"
    assert "CANNOT_UPDATE_CONVERTED_LEAD" in finding.evidence["note"]


@pytest.mark.parametrize("gone", [{"is_deleted": True}, {"merged_into": "00Q000000000002AAA"}])
def test_given_deleted_or_merged_lead_when_evaluated_then_nothing(gone: dict[str, object]) -> None:
    current = lead(status=Status.WORKING, unqualified_reason=U, **gone)

    assert evaluate(current, None, context()).corrections == ()
    assert evaluate(current, None, context()).findings == ()


def test_given_unknown_status_when_evaluated_then_reasons_left_alone() -> None:
    current = lead(status=None, raw_status="Recycled", unqualified_reason=U)

    assert evaluate(current, None, context(), only("clear_reasons_on_exit")).corrections == ()


def test_given_report_mode_when_reason_lingers_then_finding_names_the_move() -> None:
    ctx = context(config=config(clear_reasons_on_exit={"mode": "report"}))
    current = lead(status=Status.WORKING, unqualified_reason=U)

    result = evaluate(current, lead(status=Status.UNQUALIFIED), ctx, only("clear_reasons_on_exit"))

    assert result.corrections == ()
    (finding,) = result.findings
    assert finding.message == (
        "unqualified reason 'Unresponsive' no longer applies: the lead moved from unqualified "
        "to working"
    )
    assert finding.evidence == {
        "field": "unqualified_reason",
        "value": U,
        "status": "working",
        "previous_status": "unqualified",
        "action": "reported",
    }
    assert finding.key == "clear_reasons_on_exit:lingering_reason:unqualified_reason"


def test_given_fix_mode_when_reason_lingers_then_correction_explains_itself() -> None:
    result = evaluate(lead(unqualified_reason=U), None, context(), only("clear_reasons_on_exit"))

    assert result.corrections == (
        Change(
            field="unqualified_reason",
            old=U,
            new=None,
            policy="clear_reasons_on_exit",
            reason="unqualified reason does not apply to status working",
        ),
    )
