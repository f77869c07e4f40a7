"""Findings follow the data: they open when a policy sees a problem and resolve themselves when
someone fixes the data in the CRM."""

from __future__ import annotations

from datetime import timedelta

from tests.pipeline.world import World

PAST_GRACE = timedelta(days=4)


def test_given_a_missing_reason_finding_when_the_rep_fills_the_reason_then_it_resolves(
    world: World,
) -> None:
    lead = world.lead_modified_at(world.clock.now - PAST_GRACE, "Nurture")
    world.sync()
    (opened,) = world.findings(lead, "require_reason")
    assert opened.resolved_at is None and world.field(lead, "Leadloop_Review__c")

    world.crm.human_edit(lead, {"Nurture_Reason__c": "Bad Timing"})
    report = world.sync()

    (resolved,) = world.findings(lead, "require_reason")
    assert resolved.id == opened.id and resolved.resolved_at == world.clock.now
    assert report.counts["findings"] == 0  # nothing new opened
    assert world.field(lead, "Leadloop_Review__c") is None  # leadloop's flag goes with it


def test_given_a_bad_email_finding_when_the_rep_corrects_it_then_it_resolves(
    world: World,
) -> None:
    lead = world.lead(Email="ada at example dot com")
    world.sync()
    (problem,) = world.findings(lead, "normalize")
    assert problem.field == "email" and problem.resolved_at is None

    world.crm.human_edit(lead, {"Email": "ada@example.com"})
    world.sync()

    assert [f.resolved_at for f in world.findings(lead, "normalize")] == [world.clock.now]


def test_given_an_open_finding_when_the_problem_persists_then_it_stays_one_finding(
    world: World,
) -> None:
    lead = world.lead_modified_at(world.clock.now - PAST_GRACE, "Nurture")
    world.sync()

    world.crm.human_edit(lead, {"Company": "Renamed Ltd"})  # unrelated edit: re-read
    world.sync()

    (finding,) = world.findings(lead, "require_reason")
    assert finding.resolved_at is None


def test_given_a_problem_fixed_and_back_when_seen_again_then_a_new_finding_opens(
    world: World,
) -> None:
    lead = world.lead_modified_at(world.clock.now - PAST_GRACE, "Nurture")
    world.sync()
    world.crm.human_edit(lead, {"Nurture_Reason__c": "Bad Timing"})
    world.sync()

    world.crm.human_edit(lead, {"Nurture_Reason__c": None})
    world.sync()

    first, second = world.findings(lead, "require_reason")
    assert first.resolved_at is not None and second.resolved_at is None


def test_given_a_lead_with_a_finding_when_merged_away_then_it_is_stored_merged_and_resolves(
    world: World,
) -> None:
    master = world.lead("Nurture", Nurture_Reason__c="Bad Timing")
    lead = world.lead_modified_at(world.clock.now - PAST_GRACE, "Nurture")
    world.sync()
    assert len(world.findings(lead, "require_reason")) == 1
    writes = len(world.crm.write_log)  # the review flag

    world.crm.merge(lead, master)
    world.sync()

    (stored,) = [row for row in world.leads() if row.external_id == lead]
    assert (stored.is_deleted, stored.merged_into) == (True, master)
    assert [f.resolved_at for f in world.findings(lead)] == [world.clock.now]
    assert world.crm.write_log[writes:] == []


def test_given_an_unchanged_lead_read_again_in_the_lookback_then_no_work_is_done_for_it(
    world: World,
) -> None:
    """The lookback re-reads what the last run stored; a record as stored was evaluated when
    it was stored, so it is neither stored nor evaluated again (time alone is the due step's)."""
    lead = world.lead(Email="not-an-email")  # a finding, nothing to write
    fresh = world.lead("Nurture")  # within its grace period: nothing yet
    world.sync()
    assert world.findings(lead) and world.outbox() == []
    findings = [(f.id, f.resolved_at) for f in world.findings(lead) + world.findings(fresh)]
    items = len(world.outbox())
    reads = len(world.crm.served["query"])

    report = world.sync()

    assert world.crm.served["query"][reads:] != []  # read again...
    assert (report.counts["pulled"], report.counts["stored"]) == (
        len(world.crm.served["query"][reads:]),
        0,
    )  # ...and left alone
    assert (report.counts["findings"], report.counts["corrections"]) == (0, 0)
    assert [(f.id, f.resolved_at) for f in world.findings(lead) + world.findings(fresh)] == findings
    assert len(world.outbox()) == items
