"""Resyncs (``--since``, ``--ids``, ``--full``): re-read and re-evaluate a chosen set of records
without moving the incremental cursor."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sync.store.states import RunState
from tests.pipeline.world import World

LINGERING = {"Unqualified_Reason__c": "Competitor"}  # on a working lead: to be cleared


def report_only(world: World) -> None:
    policies = world.settings.policies
    clear = policies.clear_reasons_on_exit.model_copy(update={"mode": "report"})
    world.with_settings(policies=policies.model_copy(update={"clear_reasons_on_exit": clear}))


def fix_again(world: World) -> None:
    policies = world.settings.policies
    clear = policies.clear_reasons_on_exit.model_copy(update={"mode": "fix"})
    world.with_settings(policies=policies.model_copy(update={"clear_reasons_on_exit": clear}))


def two_old_leads(world: World) -> tuple[str, str]:
    """Leads last modified ten days and one day ago, synced while the fix was report-only."""
    now = world.clock.now
    older = world.crm.add({"Status": "Working - Contacted", **LINGERING}, now - timedelta(days=10))
    newer = world.crm.add({"Status": "Working - Contacted", **LINGERING}, now - timedelta(days=1))
    report_only(world)
    world.sync()
    fix_again(world)
    return older, newer


def test_given_a_policy_switched_on_when_resyncing_since_a_date_then_only_later_leads_are_fixed(
    world: World,
) -> None:
    older, newer = two_old_leads(world)
    cursor = world.cursor()
    reads = len(world.crm.served["query"])

    report = world.sync(mode="since", since=world.clock.now - timedelta(days=2))

    assert world.crm.served["query"][reads:] == [newer]
    assert world.field(newer, "Unqualified_Reason__c") is None
    assert world.field(older, "Unqualified_Reason__c") == "Competitor"
    assert report.counts["pulled"] == 1 and world.runs()[-1].kind == "resync"
    after = world.cursor()
    assert cursor is not None and after is not None
    assert (after.modstamp, after.record_id) == (cursor.modstamp, cursor.record_id)


def test_given_no_start_when_resyncing_since_then_the_run_fails_saying_so(world: World) -> None:
    world.lead()

    with pytest.raises(ValueError, match="needs a start time"):
        world.sync(mode="since")

    (run,) = world.runs()
    assert run.state is RunState.FAILED and "needs a start time" in (run.error or "")
    assert world.crm.requests["query"] == 0


def test_given_ids_when_resyncing_by_id_then_exactly_the_known_ones_are_read_and_fixed(
    world: World,
) -> None:
    older, newer = two_old_leads(world)
    untouched = world.lead(**LINGERING)
    reads = len(world.crm.served["query"])
    cursor = world.cursor()

    report = world.sync(mode="ids", ids=[older, "00Q999999999999ZZZ", older])

    assert world.crm.served["query"][reads:] == [older]
    assert world.field(older, "Unqualified_Reason__c") is None
    assert world.field(newer, "Unqualified_Reason__c") == "Competitor"
    assert untouched not in world.stored_ids()
    assert report.counts["pulled"] == 1
    after = world.cursor()
    assert cursor is not None and after is not None and after.modstamp == cursor.modstamp


def test_given_a_record_deleted_in_the_crm_when_resyncing_its_id_then_it_is_stored_deleted(
    world: World,
) -> None:
    lead = world.lead()
    world.sync()
    world.crm.delete(lead)

    world.sync(mode="ids", ids=[lead])

    (item,) = world.leads()
    assert item.external_id == lead and item.is_deleted


def test_given_a_full_resync_then_every_record_is_read_and_the_cursor_stays(
    world: World,
) -> None:
    older, newer = two_old_leads(world)
    gone = world.lead()
    world.crm.delete(gone)
    cursor = world.cursor()
    reads = len(world.crm.served["query"])

    world.sync(mode="full")

    assert sorted(world.crm.served["query"][reads:]) == sorted([older, newer, gone])
    assert world.field(older, "Unqualified_Reason__c") is None
    after = world.cursor()
    assert cursor is not None and after is not None and after.modstamp == cursor.modstamp


def test_given_nothing_changed_when_resyncing_everything_then_nothing_counts_as_stored(
    world: World,
) -> None:
    """A resync evaluates every lead again, but rewrites none that did not change: `status`
    must not say it changed something."""
    two_old_leads(world)

    report = world.sync(mode="full")

    assert (report.counts["pulled"], report.counts["stored"]) == (2, 0)
