"""Due re-evaluation: a verdict that changes with time alone, without any CRM change."""

from __future__ import annotations

from datetime import timedelta

from sync.pipeline.policies import REVIEW_FLAG_PREFIX
from sync.store.states import OutboxState
from tests.pipeline.world import World

GRACE = timedelta(days=3)  # require_reason's default grace period


def synced_and_left_behind(world: World, status: str, **fields: object) -> str:
    """A lead synced once, then left behind by later CRM activity: the next pulls' windows
    (which start a lookback before the cursor) no longer reach it."""
    lead = world.lead(status, **fields)
    world.sync()
    world.clock.advance(hours=1)
    world.lead(Email="someone.else@example.com")
    world.sync()
    return lead


def read_by_pulls(world: World, since: int) -> list[str]:
    return world.crm.served["query"][since:]


def test_given_a_nurture_lead_without_reason_when_its_grace_period_ends_then_it_is_flagged(
    world: World,
) -> None:
    lead = synced_and_left_behind(world, "Nurture")
    assert world.findings(lead) == [] and world.crm.write_log == []
    reads = len(world.crm.served["query"])

    world.clock.advance(GRACE)
    world.sync()

    assert lead not in read_by_pulls(world, reads)  # the CRM did not change; nor was it read
    (finding,) = world.findings(lead, "require_reason")
    assert finding.resolved_at is None and finding.first_seen_at == world.clock.now
    (item,) = world.outbox(lead)
    assert (item.crm_field, item.state) == ("Leadloop_Review__c", OutboxState.SENT)
    assert world.field(lead, "Leadloop_Review__c").startswith(REVIEW_FLAG_PREFIX)


def test_given_a_flagged_due_lead_when_later_runs_come_then_nothing_is_flagged_or_written_twice(
    world: World,
) -> None:
    lead = synced_and_left_behind(world, "Unqualified")
    world.clock.advance(GRACE)
    world.sync()
    writes = len(world.crm.write_log)

    world.clock.advance(timedelta(days=1))
    later = world.sync()

    assert later.counts["findings"] == 0 and later.counts["corrections"] == 0
    assert len(world.crm.write_log) == writes
    assert len(world.findings(lead, "require_reason")) == 1


def test_given_a_lead_still_in_its_grace_period_when_runs_pass_then_it_is_not_flagged_early(
    world: World,
) -> None:
    lead = synced_and_left_behind(world, "Nurture")

    world.clock.advance(GRACE - timedelta(hours=2))
    world.sync()

    assert world.findings(lead) == [] and world.outbox(lead) == []


def test_given_a_normalize_problem_when_the_lead_becomes_due_then_that_finding_stays_open(
    world: World,
) -> None:
    lead = synced_and_left_behind(world, "Nurture", Email="not an email")
    (problem,) = world.findings(lead, "normalize")

    world.clock.advance(GRACE)
    world.sync()

    assert [f.id for f in world.findings(lead, "normalize") if f.resolved_at is None] == [
        problem.id
    ]
    assert len(world.findings(lead, "require_reason")) == 1


def test_given_low_score_nurture_on_when_a_new_lead_ages_past_min_age_then_it_moves_to_nurture(
    world: World,
) -> None:
    policies = world.settings.policies
    opt_in = policies.low_score_nurture.model_copy(update={"enabled": True, "mode": "fix"})
    world.with_settings(policies=policies.model_copy(update={"low_score_nurture": opt_in}))
    lead = synced_and_left_behind(
        world, "Open - Not Contacted", created=world.clock.now, Lead_Score__c=5.0
    )
    assert world.field(lead, "Status") == "Open - Not Contacted"

    world.clock.advance(opt_in.min_age)
    world.sync()

    assert world.field(lead, "Status") == "Nurture"
    assert world.field(lead, "Nurture_Reason__c") == "Low Interest Score"
