"""The hygiene loop end to end: real clients, real HTTP, both emulators, a real store."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from connectors.sandbox.salesforce.auth import USER_ID as API_USER
from sync.store.models import FindingRow, LeadRow, OutboxItem, OutboxState, RawPayload, Run
from sync.store.states import RunState
from tests.e2e.conftest import Harness, before_query

CANONICAL_NURTURE_SF = {
    "Bad Timing",
    "No Budget Now",
    "Unresponsive",
    "Connected - Not Interested",
    "Low Interest Score",
}


def test_given_lingering_reasons_when_the_loop_runs_then_they_are_cleared_in_both_crms(
    any_store_harness: Harness,
) -> None:
    h = any_store_harness
    sf_before = h.sf_leads("lingering_unqualified_reason")
    hs_before = h.hs_contacts("lingering_unqualified_reason")
    assert all(lead["Unqualified_Reason__c"] for lead in sf_before)
    assert all(c["properties"]["unqualified_reason"] for c in hs_before)

    h.sync()

    assert sf_before and hs_before
    assert all(
        lead["Unqualified_Reason__c"] is None for lead in h.sf_leads("lingering_unqualified_reason")
    )
    assert all(lead["Nurture_Reason__c"] is None for lead in h.sf_leads("lingering_nurture_reason"))
    assert all(
        not c["properties"].get("unqualified_reason")
        for c in h.hs_contacts("lingering_unqualified_reason")
    )


def test_given_unambiguous_legacy_reasons_when_the_loop_runs_then_they_become_catalogue_values(
    harness: Harness,
) -> None:
    before = harness.sf_leads("legacy_reason")
    assert {lead["Nurture_Reason__c"] for lead in before} <= {"No Budget", "Wrong Timing"}

    harness.sync()

    after = {lead["Id"]: lead["Nurture_Reason__c"] for lead in harness.sf_leads("legacy_reason")}
    expected = {"No Budget": "No Budget Now", "Wrong Timing": "Bad Timing"}
    assert after == {lead["Id"]: expected[lead["Nurture_Reason__c"]] for lead in before}


def _open_flag_tasks(harness: Harness) -> dict[str, list[dict[str, Any]]]:
    """Open leadloop tasks by lead."""
    found: dict[str, list[dict[str, Any]]] = {}
    for task in harness.box.salesforce.task_records():
        if not task["IsClosed"] and str(task["Subject"]).startswith("leadloop:"):
            found.setdefault(task["WhoId"], []).append(task)
    return found


def test_given_ambiguous_or_missing_reasons_when_the_loop_runs_then_a_human_is_asked(
    harness: Harness,
) -> None:
    """Under the org's "reason required when Unqualified" rule: a task in the owner's list,
    one per lead, where a flag on the lead itself would be refused."""
    ambiguous = harness.sf_leads("ambiguous_reason")
    missing = harness.sf_leads("missing_reason")

    harness.sync()

    tasks = _open_flag_tasks(harness)
    for lead in harness.sf_leads("ambiguous_reason"):
        original = next(a for a in ambiguous if a["Id"] == lead["Id"])
        assert lead["Nurture_Reason__c"] == original["Nurture_Reason__c"]  # never guessed
        assert len(tasks[lead["Id"]]) == 1
    for lead in missing:
        (task,) = tasks[lead["Id"]]
        assert "reason" in task["Subject"]
        owner = lead["OwnerId"] if lead["OwnerId"].startswith("005") else API_USER
        assert task["OwnerId"] == owner  # a queue cannot own a task: leadloop's user does
    with harness.sessions() as session:
        open_require = session.scalar(
            select(func.count())
            .select_from(FindingRow)
            .join(LeadRow, LeadRow.id == FindingRow.lead_id)
            .where(
                FindingRow.policy == "require_reason",
                FindingRow.resolved_at.is_(None),
                LeadRow.source == "salesforce",
            )
        )
    assert open_require == len(missing)


def test_given_a_synced_org_when_the_loop_runs_again_then_it_writes_nothing(
    any_store_harness: Harness,
) -> None:
    h = any_store_harness
    h.sync()
    writes, items = h.writes(), h.outbox_count()
    assert writes > 0

    h.clock.advance()
    reports = h.sync()

    assert h.writes() == writes
    assert h.outbox_count() == items
    assert all(r.counts.get("corrections", 0) == 0 for r in reports.values())


def test_given_a_pending_fix_when_a_human_edits_the_record_before_our_write_then_it_is_kept(
    harness: Harness,
) -> None:
    lead = harness.sf_leads("lingering_unqualified_reason")[0]
    emulator = harness.box.salesforce

    def edit_after_our_read(_: object) -> None:
        emulator.human_edit(
            lead["Id"], {"Unqualified_Reason__c": "Competitor", "Status": "Unqualified"}
        )

    # the count, the pull's query, then the writer's re-read: the edit lands before the last
    before_query(emulator, 3, edit_after_our_read)
    harness.sync("salesforce")

    assert emulator.record(lead["Id"])["Unqualified_Reason__c"] == "Competitor"
    with harness.sessions() as session:
        item = session.scalars(select(OutboxItem).where(OutboxItem.external_id == lead["Id"])).one()
    assert item.state is OutboxState.CONFLICT


def test_given_a_dry_run_when_it_finishes_then_nothing_was_written_anywhere(
    harness: Harness,
) -> None:
    before = harness.box.salesforce.records()

    reports = harness.sync(dry_run=True)

    assert harness.box.salesforce.records() == before
    assert harness.writes() == 0
    assert reports["salesforce"].planned and reports["hubspot"].planned
    with harness.sessions() as session:
        assert session.scalar(select(func.count()).select_from(LeadRow)) == 0
        assert session.scalar(select(func.count()).select_from(Run)) == 0


def pending_items(harness: Harness) -> int:
    with harness.sessions() as session:
        return (
            session.scalar(
                select(func.count())
                .select_from(OutboxItem)
                .where(OutboxItem.state == OutboxState.PENDING)
            )
            or 0
        )


def test_given_a_small_change_budget_when_cycles_run_then_writes_wait_and_cycles_still_succeed(
    harness: Harness,
) -> None:
    limits = harness.settings.limits
    budget = limits.change_budget.model_copy(update={"max_records": 5})
    harness.settings = harness.settings.model_copy(
        update={"limits": limits.model_copy(update={"change_budget": budget})}
    )

    first = harness.sync("salesforce")["salesforce"]
    harness.clock.advance()
    second = harness.sync("salesforce")["salesforce"]

    assert harness.writes() == 0
    assert first.held is not None and second.held is not None
    assert first.counts["held"] == second.counts["held"] == first.held.records > 5
    message = first.held.message("salesforce", first.run_id)
    assert f"`leadloop approve {first.run_id}`" in message
    assert "`leadloop outbox --source salesforce --state pending`" in message
    with harness.sessions() as session:
        states = [run.state for run in session.scalars(select(Run).order_by(Run.id))]
    assert states == [RunState.SUCCEEDED, RunState.SUCCEEDED]
    assert pending_items(harness) > 5

    harness.clock.advance()
    harness.sync("salesforce", allow_mass_change=True)
    assert harness.writes() > 0 and pending_items(harness) == 0


def test_given_broken_records_when_the_loop_runs_then_they_are_stored_with_findings(
    harness: Harness,
) -> None:
    broken = harness.sf_leads("broken_record")
    odd = harness.sf_leads("working_clean")[0]["Id"]
    harness.box.salesforce.human_edit(odd, {"Status": "Gone Fishing", "Email": "not-an-email"})
    harness.clock.advance()  # the window is [.., now): an edit at this instant is next run's

    reports = harness.sync("salesforce")

    assert reports["salesforce"].counts["pulled"] == reports["salesforce"].counts["stored"]
    with harness.sessions() as session:
        row = session.scalars(select(LeadRow).where(LeadRow.external_id == odd)).one()
        codes = set(
            session.scalars(
                select(FindingRow.message).where(
                    FindingRow.lead_id == row.id, FindingRow.resolved_at.is_(None)
                )
            )
        )
        broken_rows = session.scalars(
            select(LeadRow).where(LeadRow.external_id.in_([lead["Id"] for lead in broken]))
        ).all()
    assert (row.status, row.raw_status, row.email) == (None, "Gone Fishing", None)
    assert any("status" in message for message in codes)
    assert any("email" in message for message in codes)
    assert len(broken_rows) == len(broken)


def _payload_times(harness: Harness) -> dict[str, object]:
    with harness.sessions() as session:
        rows = session.execute(
            select(LeadRow.external_id, RawPayload.fetched_at)
            .join(RawPayload, RawPayload.lead_id == LeadRow.id)
            .where(LeadRow.source == "salesforce")
        )
        return {external_id: fetched_at for external_id, fetched_at in rows}


def test_given_a_settled_org_when_a_full_resync_rereads_it_then_only_edits_rewrite_payloads(
    harness: Harness,
) -> None:
    harness.sync("salesforce")
    harness.clock.advance()
    harness.sync("salesforce")  # our own writes come back once
    before = _payload_times(harness)
    edited = harness.sf_leads("working_clean")[0]["Id"]
    harness.box.salesforce.human_edit(edited, {"Title": "Head of Growth"})
    harness.clock.advance()

    harness.sync("salesforce", mode="full")

    after = _payload_times(harness)
    assert after.keys() == before.keys()
    assert after[edited] == harness.clock() and before[edited] != harness.clock()
    assert {k: v for k, v in after.items() if k != edited} == {
        k: v for k, v in before.items() if k != edited
    }
    with harness.sessions() as session:
        payload = session.scalars(
            select(RawPayload.payload)
            .join(LeadRow, LeadRow.id == RawPayload.lead_id)
            .where(LeadRow.external_id == edited)
        ).one()
    assert payload["Title"] == "Head of Growth"
