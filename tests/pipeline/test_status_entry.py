"""When a lead entered its status, in an org without a status-changed date (issue 9.1).

The grace period of ``require_reason`` counts from what leadloop observed: the CRM's stamp of
the pull that first showed the status, and for a lead first seen already in it, its stamp
then. Never from a stamp leadloop's own flag write moved, or the flag would come and go.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from mappings.catalogue_loader import load_catalogue
from mappings.loader import load_mapping
from sync.domain import Status
from sync.pipeline.entry import entered_at, with_entry_times
from sync.store.leads import lead_key
from sync.store.models import LeadRow, StatusChange
from tests.builders import NOW, lead
from tests.pipeline.world import World

GRACE = timedelta(days=3)  # require_reason's default grace period
FLAG = "Leadloop_Review__c"


def flag_writes(world: World, lead: str) -> list[str | None]:
    return [
        w.changes[FLAG] for w in world.crm.write_log if w.record_id == lead and FLAG in w.changes
    ]


def history(world: World, lead: str) -> list[tuple[str | None, str | None, str | None]]:
    with world.sessions() as session:
        rows = session.execute(
            select(StatusChange.from_status, StatusChange.to_status, StatusChange.basis)
            .join(LeadRow, LeadRow.id == StatusChange.lead_id)
            .where(LeadRow.external_id == lead)
            .order_by(StatusChange.id)
        )
        return [(row.from_status, row.to_status, row.basis) for row in rows]


def test_given_a_flagged_reasonless_lead_when_grace_periods_pass_then_one_write_one_finding(
    world: World,
) -> None:
    lead = world.lead("Nurture")
    for _ in range(4 * 4):  # four grace periods, a sync every 18 hours
        world.clock.advance(hours=18)
        world.sync()

    assert len(flag_writes(world, lead)) == 1  # our write came back and changed nothing
    (finding,) = world.findings(lead, "require_reason")
    assert finding.resolved_at is None
    (stored,) = world.leads()
    assert stored.status_changed_at is not None
    assert finding.evidence["since"] == stored.status_changed_at.isoformat()


def test_given_a_lead_first_seen_disqualified_when_modified_lately_then_grace_counts_from_then(
    world: World,
) -> None:
    created = world.clock.now - timedelta(days=40)
    yesterday = world.clock.now - timedelta(days=1)
    lead = world.lead_modified_at(yesterday, "Unqualified", created=created)
    world.sync()
    assert world.findings(lead, "require_reason") == []  # it may have entered it yesterday

    world.clock.advance(GRACE - timedelta(days=1))
    world.sync()

    assert len(world.findings(lead, "require_reason")) == 1
    assert history(world, lead) == [(None, "unqualified", "first_seen")]


def test_given_an_observed_status_change_when_another_field_changes_then_grace_is_not_restarted(
    world: World,
) -> None:
    lead = world.lead("Working - Contacted")
    world.sync()
    world.crm.human_edit(lead, {"Status": "Nurture"})
    world.sync()
    world.clock.advance(days=2)
    world.crm.human_edit(lead, {"Title": "CTO"})  # a later edit moves the stamp, not the status
    world.sync()

    world.clock.advance(days=1)
    world.sync()

    assert len(world.findings(lead, "require_reason")) == 1
    assert history(world, lead) == [
        (None, "working", "first_seen"),
        ("working", "nurture", "observed"),
    ]


def test_given_a_lead_that_leaves_and_reenters_a_status_then_its_grace_restarts(
    world: World,
) -> None:
    lead = world.lead_modified_at(world.clock.now - timedelta(days=10), "Nurture")
    world.sync()
    assert len(world.findings(lead, "require_reason")) == 1

    world.crm.human_edit(lead, {"Status": "Working - Contacted"})
    world.sync()
    world.crm.human_edit(lead, {"Status": "Nurture"})
    world.sync()

    (first,) = world.findings(lead, "require_reason")
    assert first.resolved_at is not None  # back in nurture: a fresh grace period
    world.clock.advance(GRACE)
    world.sync()
    assert [f.resolved_at is None for f in world.findings(lead, "require_reason")] == [
        False,
        True,
    ]


# -- the rules, as pure functions ------------------------------------------------------------

T0 = NOW - timedelta(days=30)


def test_given_the_crms_own_date_then_it_is_used_whatever_leadloop_saw() -> None:
    pulled = lead(status=Status.NURTURE, status_changed_at=T0, modified_at=NOW)
    before = lead(status=Status.WORKING, status_changed_at=T0 - timedelta(days=9))

    (timed,), bases = with_entry_times([pulled], {lead_key(before): before}, NOW)

    assert (timed.status_changed_at, bases) == (T0, {lead_key(pulled): "crm_field"})


def test_given_an_unchanged_status_then_the_stored_time_is_kept_whatever_the_stamp() -> None:
    before = lead(status=Status.NURTURE, status_changed_at=T0, modified_at=T0)
    pulled = lead(status=Status.NURTURE, status_changed_at=None, modified_at=NOW)

    (timed,), bases = with_entry_times([pulled], {lead_key(before): before}, NOW)

    assert (timed.status_changed_at, bases) == (T0, {})


def test_given_a_status_change_or_a_first_sight_then_the_stamp_of_that_pull() -> None:
    changed = lead(status=Status.NURTURE, status_changed_at=None, modified_at=T0)
    before = lead(status=Status.WORKING, status_changed_at=T0 - timedelta(days=9))
    new = lead(external_id="00Q2", status=Status.NURTURE, status_changed_at=None, modified_at=T0)

    timed, bases = with_entry_times([changed, new], {lead_key(before): before}, NOW)

    assert [t.status_changed_at for t in timed] == [T0, T0]
    assert bases == {lead_key(changed): "observed", lead_key(new): "first_seen"}


def test_given_a_status_history_then_the_entry_is_the_oldest_value_of_the_same_status() -> None:
    mapping = load_mapping("salesforce_lead", load_catalogue())
    values = [
        ("Unqualified", T0 + timedelta(days=3)),
        ("Closed - Not Converted", T0 + timedelta(days=2)),  # also unqualified
        ("Working - Contacted", T0 + timedelta(days=1)),
        ("Unqualified", T0),
    ]

    assert entered_at(values, mapping, Status.UNQUALIFIED) == T0 + timedelta(days=2)
    assert entered_at(values, mapping, Status.NURTURE) is None  # history disagrees: unknown
    assert entered_at([], mapping, Status.UNQUALIFIED) is None
