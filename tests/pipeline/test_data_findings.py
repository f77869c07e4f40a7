"""Data a RevOps admin needs to see (issue 10.7): an empty status, an impossible date, and
duplicate emails within one source. Each is a finding that resolves once the data is fixed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sync.store.models import FindingRow
from tests.fakes.crm import wire
from tests.pipeline.world import World


def open_findings(world: World, lead: str, policy: str) -> list[FindingRow]:
    return [f for f in world.findings(lead, policy) if f.resolved_at is None]


def test_given_a_lead_without_a_status_when_synced_then_a_finding_says_so_until_it_has_one(
    world: World,
) -> None:
    empty, blank = world.lead(None), world.lead("  ")
    world.sync()

    for lead in (empty, blank):
        (finding,) = open_findings(world, lead, "normalize")
        assert (finding.code, finding.field) == ("missing_status", "status")
        assert finding.message == "the lead has no status: no policy can judge it"

    world.crm.human_edit(empty, {"Status": "Nurture", "Nurture_Reason__c": "Bad Timing"})
    world.sync()
    assert open_findings(world, empty, "normalize") == []


def test_given_dates_in_2099_or_before_1900_when_synced_then_findings_name_field_and_value(
    world: World,
) -> None:
    lead = world.lead(
        created=datetime(2099, 1, 1, tzinfo=UTC), ConvertedDate="1850-06-01", IsConverted=True
    )
    world.sync()

    found = {f.field: f for f in open_findings(world, lead, "normalize")}
    assert set(found) == {"created_at", "converted_at"}
    assert found["created_at"].code == "implausible_date"
    assert found["created_at"].message == ("2099-01-01T00:00:00+00:00 is in the future: not used")
    assert found["converted_at"].message == (
        "1850-06-01T00:00:00+00:00 is before 1900: kept (it only guards writes)"
    )
    (stored,) = world.leads()
    assert stored.created_at is None  # nothing counts time from an impossible date
    assert stored.converted_at == datetime(1850, 6, 1, tzinfo=UTC)  # still never written

    world.crm.human_edit(lead, {"CreatedDate": wire(world.clock.now - timedelta(days=1))})
    world.sync()
    assert [f.field for f in open_findings(world, lead, "normalize")] == ["converted_at"]


def test_given_leads_sharing_an_email_when_synced_then_each_names_the_others_until_they_differ(
    world: World,
) -> None:
    ada, twin, other = (world.lead(Email=e) for e in ("ada@x.com", "ADA@x.com", "bob@x.com"))
    world.sync()

    (on_ada,) = open_findings(world, ada, "duplicates")
    (on_twin,) = open_findings(world, twin, "duplicates")
    assert (on_ada.code, on_ada.field) == ("duplicate_email", "email")
    assert on_ada.evidence == {"email": "ada@x.com", "others": [twin], "more": False}
    assert on_twin.evidence["others"] == [ada]
    assert on_ada.message == f"other leads of this source have ada@x.com too: {twin}"
    assert world.findings(other, "duplicates") == []

    third = world.lead(Email="ada@x.com")
    world.sync()
    assert open_findings(world, ada, "duplicates")[0].evidence["others"] == [twin, third]

    world.crm.human_edit(twin, {"Email": "twin@x.com"})
    world.crm.delete(third)
    world.sync()

    for lead in (ada, twin, third):
        assert open_findings(world, lead, "duplicates") == []
    assert [f.resolved_at for f in world.findings(ada, "duplicates")] == [world.clock.now]


def test_given_a_duplicate_finding_when_the_lead_is_reevaluated_then_it_stays_open(
    world: World,
) -> None:
    ada = world.lead("Nurture", Email="ada@x.com")
    world.lead(Email="ada@x.com")
    world.sync()
    (finding,) = open_findings(world, ada, "duplicates")

    world.crm.human_edit(ada, {"Title": "CTO"})  # re-read and re-evaluated, still a duplicate
    world.clock.advance(days=4)  # and due: its grace period ends
    world.sync()

    assert [f.id for f in open_findings(world, ada, "duplicates")] == [finding.id]
    assert len(open_findings(world, ada, "require_reason")) == 1


def test_given_a_large_group_sharing_an_email_when_one_more_joins_then_few_findings_change(
    world: World,
) -> None:
    group = [world.lead(Email="none@x.com") for _ in range(30)]
    world.sync()
    first_sync = world.clock.now
    named = open_findings(world, group[-1], "duplicates")[0].evidence
    assert (len(named["others"]), named["more"]) == (10, True)

    newcomer = world.lead(Email="none@x.com")
    world.sync()

    assert len(open_findings(world, newcomer, "duplicates")) == 1
    rows = [f for lead in group for f in open_findings(world, lead, "duplicates")]
    assert len(rows) == 30  # every member keeps its one open finding, none rewritten:
    assert {f.last_seen_at for f in rows} == {first_sync}  # each names the same ten others
