"""``leadloop undo RUN_ID`` on the fake CRM: before-values back, human edits since kept."""

from __future__ import annotations

import pytest

from sync.pipeline.undo import UndoError, undo_run
from tests.pipeline.world import SOURCE, World


def undo(world: World, run_id: int | None) -> tuple[int, list[str]]:
    assert run_id is not None
    report = undo_run(world.sessions, {SOURCE: world.source()}, run_id, world.clock)
    return report.reverted, report.conflicts


def test_given_a_run_that_cleared_reasons_when_undone_then_the_reasons_are_back(
    world: World,
) -> None:
    leads = [world.lead(Unqualified_Reason__c=reason) for reason in ("Competitor", "Duplicate")]
    run = world.sync()
    assert all(world.field(lead, "Unqualified_Reason__c") is None for lead in leads)

    reverted, conflicts = undo(world, run.run_id)

    assert (reverted, conflicts) == (2, [])
    assert [world.field(lead, "Unqualified_Reason__c") for lead in leads] == [
        "Competitor",
        "Duplicate",
    ]
    assert undo(world, run.run_id) == (0, [])  # a second undo has nothing left to revert


def test_given_a_record_edited_since_our_write_when_undone_then_the_edit_is_kept(
    world: World,
) -> None:
    kept = world.lead(Unqualified_Reason__c="Competitor")
    reverted_lead = world.lead(Unqualified_Reason__c="Duplicate")
    run = world.sync()
    world.clock.advance(minutes=5)
    world.crm.human_edit(kept, {"Status": "Unqualified", "Unqualified_Reason__c": "Duplicate"})

    reverted, conflicts = undo(world, run.run_id)

    assert reverted == 1 and len(conflicts) == 1 and kept in conflicts[0]
    assert world.field(kept, "Unqualified_Reason__c") == "Duplicate"
    assert world.field(reverted_lead, "Unqualified_Reason__c") == "Duplicate"


def test_given_an_unknown_run_when_undone_then_it_is_refused_and_nothing_written(
    world: World,
) -> None:
    world.lead(Unqualified_Reason__c="Competitor")
    world.sync()

    with pytest.raises(UndoError, match="no run 99"):
        undo(world, 99)
    assert len(world.crm.write_log) == 1  # the sync's own write only
