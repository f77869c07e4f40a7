"""Seed data of the HubSpot emulator: overlap with the shared people, scenarios, bulk contacts."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import pytest

from connectors.sandbox.hubspot import HubSpotEmulator
from connectors.sandbox.hubspot.scenarios import SCENARIO_TABLE, hubspot_values
from connectors.sandbox.hubspot.seed import hubspot_only, selected_people
from connectors.sandbox.seed import SCENARIOS, people, shared_with_hubspot
from tests.sandbox.hubspot_support import START, FrozenClock


def _never() -> datetime:
    raise AssertionError("the clock must not be read at construction")


def _emulator(contacts: int = 200, seed: int = 42) -> HubSpotEmulator:
    return HubSpotEmulator(contacts=contacts, seed=seed, now=_never)


def test_given_construction_then_no_clock_is_read_and_the_count_is_exact() -> None:
    emulator = _emulator(200)
    assert len(emulator.contacts.records) == 200


def test_given_the_salesforce_seed_then_shared_people_have_the_same_email_in_hubspot() -> None:
    emulator = _emulator(120)  # the sandbox runner's defaults: 120 contacts, 200 leads
    salesforce = people(200, 42)  # what the Salesforce emulator seeds for leads=200
    emails = {r.id: r.properties.get("email") for r in emulator.contacts.records.values()}
    shared = 0
    for contact_id, person in zip(sorted(emails), selected_people(120, 42), strict=True):
        if shared_with_hubspot(person) and person.index < len(salesforce):
            # an empty email is simply unset (null) in HubSpot
            assert (emails[contact_id] or "") == salesforce[person.index].email
            shared += 1
    assert shared == 80  # 2 of every 5 Salesforce leads


def test_given_hubspot_only_people_then_their_emails_match_no_salesforce_lead() -> None:
    emulator = _emulator(200)
    salesforce = {p.email.strip().casefold() for p in people(400, 42) if "@" in p.email}
    only = [
        r
        for r, p in zip(sorted(emulator.contacts.records), selected_people(200, 42), strict=True)
        if hubspot_only(p)
    ]
    assert len(only) > 50
    for contact_id in only:
        email = emulator.contacts.records[contact_id].properties.get("email", "")
        assert email.strip().casefold() not in salesforce


def test_given_the_scenario_table_then_every_seed_scenario_has_a_hubspot_look() -> None:
    assert set(SCENARIO_TABLE) == set(SCENARIOS)


def test_given_seeded_contacts_then_every_stored_value_is_a_valid_option() -> None:
    emulator = _emulator(300)
    registry = emulator.contacts.registry
    for record in emulator.contacts.records.values():
        _, problems = registry.check(record.properties, system=True)
        assert problems == [], (record.id, problems)


@pytest.mark.parametrize(
    ("scenario", "check"),
    [
        (
            "lingering_unqualified_reason",
            lambda p: p["hs_lead_status"] == "IN_PROGRESS" and p.get("unqualified_reason"),
        ),
        ("nurture_ok", lambda p: p["hs_lead_status"] == "BAD_TIMING" and p.get("nurture_reason")),
        (
            "missing_reason",
            lambda p: (
                p["hs_lead_status"] in ("UNQUALIFIED", "BAD_TIMING")
                and not p.get("unqualified_reason")
                and not p.get("nurture_reason")
            ),
        ),
        ("legacy_reason", lambda p: p.get("nurture_reason") in ("timing", "no_budget")),
        (
            "ambiguous_reason",
            lambda p: p.get("nurture_reason") in ("no_interest", "not_interested"),
        ),
        ("reason_wrong_field", lambda p: p.get("unqualified_reason") == "bad_timing"),
        (
            "converted",
            lambda p: (
                p["hs_lead_status"] == "OPEN_DEAL"
                and p["lifecyclestage"] == "customer"
                and p.get("hs_lifecyclestage_customer_date")
            ),
        ),
        (
            "wants_call_disqualified",
            lambda p: p["wants_call"] == "true" and p["hs_lead_status"] == "BAD_TIMING",
        ),
    ],
)
def test_given_a_scenario_then_the_contact_carries_its_hubspot_values(
    scenario: str, check: object
) -> None:
    emulator = _emulator(400)
    ids = [i for i, s in emulator.scenarios.items() if s == scenario]
    assert ids, f"no {scenario} contact in the seed"
    for contact_id in ids:
        assert check(emulator.contact(contact_id)["properties"])  # type: ignore[operator]


def test_given_deleted_and_merged_scenarios_then_those_contacts_are_archived() -> None:
    emulator = _emulator(400)
    gone = [i for i, s in emulator.scenarios.items() if s in ("deleted", "merged")]
    assert gone
    assert all(emulator.contact(i)["archived"] for i in gone)
    merged = [i for i, s in emulator.scenarios.items() if s == "merged"]
    primaries = [r.properties.get("hs_merged_object_ids", "") for r in emulator.contacts.live()]
    assert all(any(str(i) in p.split(";") for p in primaries) for i in merged)


def test_given_no_catalogue_value_missing_from_options_then_low_interest_score_is_unused() -> None:
    emulator = _emulator(400)
    values = Counter(r.properties.get("nurture_reason") for r in emulator.contacts.live())
    assert "low_interest_score" not in values
    assert all(
        hubspot_values(p).get("nurture_reason") != "low_interest_score"
        for p in selected_people(400, 42)
    )


def test_given_the_same_seed_then_the_same_portal() -> None:
    first, second = _emulator(120, seed=7), _emulator(120, seed=7)
    assert [r.to_json(None) for r in first.contacts.records.values()] == [
        r.to_json(None) for r in second.contacts.records.values()
    ]


def test_given_bulk_contacts_then_they_share_milliseconds_and_crowd_one_day() -> None:
    # how fast they are made is a figure of benchmarks/sandbox_hubspot.py, not a timed test
    emulator = HubSpotEmulator(contacts=0, now=FrozenClock(START))
    ids = emulator.add_contacts(20_000)
    assert len(ids) == len(set(ids)) == 20_000
    stamps = [ms for ms, _ in emulator.contacts.by_modified]
    assert max(Counter(stamps).values()) >= 3  # runs share one millisecond
    assert stamps[10_000] - stamps[0] < 86_400_000  # > 10,000 results in one day
    assert emulator.scenario_of(ids[0]) in SCENARIOS
