"""The guards: a dry run writes nothing anywhere; the change budget halts write-back."""

from __future__ import annotations

from sqlalchemy import func, select

from connectors.base import OutcomeStatus
from sync.store.models import Base
from sync.store.states import OutboxState, RunState
from tests.pipeline.world import World

LINGERING = {"Unqualified_Reason__c": "Competitor"}  # on a working lead: to be cleared


def row_counts(world: World) -> dict[str, int]:
    with world.sessions() as session:
        return {
            name: session.scalar(select(func.count()).select_from(table)) or 0
            for name, table in Base.metadata.tables.items()
        }


def budget(world: World, max_records: int, max_percent: float = 100) -> None:
    limits = world.settings.limits
    change = limits.change_budget.model_copy(
        update={"max_records": max_records, "max_percent": max_percent}
    )
    world.with_settings(limits=limits.model_copy(update={"change_budget": change}))


def test_given_leads_to_fix_when_dry_running_then_the_diff_is_shown_and_nothing_written(
    world: World,
) -> None:
    leads = [world.lead(**LINGERING) for _ in range(3)]
    before = {lead: world.crm.raw(lead) for lead in leads}

    report = world.sync(dry_run=True)

    assert sorted(w.external_id for w in report.planned) == sorted(leads)
    assert {lead: world.crm.raw(lead) for lead in leads} == before
    assert world.crm.requests["update"] == world.crm.requests["reread"] == 0
    assert not any(row_counts(world).values()) and report.run_id is None


def test_given_writes_waiting_when_dry_running_then_they_stay_waiting(world: World) -> None:
    lead = world.lead(**LINGERING)
    world.crm.answer(lead, OutcomeStatus.RETRY, "UNABLE_TO_LOCK_ROW")
    world.sync()
    world.clock.advance(hours=1)  # the retry is due
    counts = row_counts(world)

    world.sync(dry_run=True)

    assert row_counts(world) == counts
    assert [i.state for i in world.outbox(lead)] == [OutboxState.RETRY]
    assert world.crm.requests["update"] == 1  # the real run's attempt only


def test_given_more_changes_than_the_budget_when_syncing_then_write_back_holds_them(
    world: World,
) -> None:
    budget(world, max_records=2)
    leads = [world.lead(**LINGERING) for _ in range(3)]

    report = world.sync()

    assert report.held is not None and report.counts["held"] == 3
    assert "writes to 3 records" in report.held.message("salesforce", report.run_id)
    assert "the limit is 2 records" in report.held.message("salesforce", report.run_id)
    assert world.crm.requests["update"] == 0
    assert [i.state for i in world.outbox()] == [OutboxState.PENDING] * 3
    assert world.runs()[-1].state is RunState.SUCCEEDED  # evaluated; only the writes wait
    world.sync(allow_mass_change=True)
    assert all(world.field(lead, "Unqualified_Reason__c") is None for lead in leads)


def test_given_changes_exactly_at_the_budget_when_syncing_then_they_are_written(
    world: World,
) -> None:
    budget(world, max_records=3)
    leads = [world.lead(**LINGERING) for _ in range(3)]

    world.sync()

    assert all(world.field(lead, "Unqualified_Reason__c") is None for lead in leads)


def test_given_a_share_of_leads_over_the_percent_budget_when_syncing_then_write_back_halts(
    world: World,
) -> None:
    budget(world, max_records=100, max_percent=25)
    world.lead(**LINGERING)
    for _ in range(2):
        world.lead()

    report = world.sync()

    assert report.held is not None
    assert "(33.3% of 3 leads)" in report.held.message("salesforce", report.run_id)
    assert world.crm.write_log == []
