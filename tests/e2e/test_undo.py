"""``undo RUN_ID`` reverts what a run wrote, and never a record a human edited since."""

from __future__ import annotations

import pytest

from sync.pipeline.sources import open_sources
from sync.pipeline.undo import UndoError, undo_run
from tests.e2e.conftest import Harness


def _undo(harness: Harness, run_id: int):  # type: ignore[no-untyped-def]
    with open_sources(harness.settings) as sources:
        return undo_run(harness.sessions, sources, run_id, harness.clock)


def test_given_a_run_that_cleared_reasons_when_it_is_undone_then_the_old_values_are_back(
    harness: Harness,
) -> None:
    before = {
        lead["Id"]: lead["Unqualified_Reason__c"]
        for lead in harness.sf_leads("lingering_unqualified_reason")
    }
    run_id = harness.sync("salesforce")["salesforce"].run_id
    assert run_id is not None
    assert all(
        lead["Unqualified_Reason__c"] is None
        for lead in harness.sf_leads("lingering_unqualified_reason")
    )

    harness.clock.advance()
    report = _undo(harness, run_id)

    after = {
        lead["Id"]: lead["Unqualified_Reason__c"]
        for lead in harness.sf_leads("lingering_unqualified_reason")
    }
    assert after == before
    assert report.reverted > 0 and not report.failed and not report.conflicts
    assert _undo(harness, run_id).reverted == 0  # a second undo has nothing left to revert


def test_given_a_record_edited_after_the_run_when_undoing_then_it_is_skipped_and_reported(
    harness: Harness,
) -> None:
    run_id = harness.sync("salesforce")["salesforce"].run_id
    assert run_id is not None
    lead = harness.sf_leads("lingering_unqualified_reason")[0]
    harness.clock.advance()
    harness.box.salesforce.human_edit(
        lead["Id"], {"Status": "Nurture", "Nurture_Reason__c": "Bad Timing"}
    )

    report = _undo(harness, run_id)

    assert harness.box.salesforce.record(lead["Id"])["Unqualified_Reason__c"] is None
    assert any(lead["Id"] in line for line in report.conflicts)


def test_given_a_dry_run_when_undoing_it_then_the_error_says_it_wrote_nothing(
    harness: Harness,
) -> None:
    with pytest.raises(UndoError, match="no run 999"):
        _undo(harness, 999)


def _open_flag_tasks(harness: Harness) -> list[str]:
    return [
        t["Id"]
        for t in harness.box.salesforce.task_records()
        if not t["IsClosed"] and str(t["Subject"]).startswith("leadloop:")
    ]


def test_given_a_run_that_opened_review_tasks_when_undone_then_leadloop_completes_them(
    harness: Harness,
) -> None:
    run_id = harness.sync("salesforce")["salesforce"].run_id
    assert run_id is not None
    opened = _open_flag_tasks(harness)
    assert opened

    harness.clock.advance()
    report = _undo(harness, run_id)

    assert not report.failed and not report.conflicts
    assert _open_flag_tasks(harness) == []
    harness.clock.advance()
    harness.sync("salesforce")  # the undo stands: no task comes back for unchanged leads
    assert _open_flag_tasks(harness) == []
