"""Seed scenarios, control endpoints and state files of the Salesforce emulator."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests

from connectors.sandbox.salesforce import SCENARIO_LOOKS, SalesforceEmulator
from connectors.sandbox.salesforce.values import valid_id
from connectors.sandbox.seed import SCENARIOS
from tests.sandbox.salesforce_support import START, FrozenClock, running


@pytest.fixture(scope="module")
def seeded() -> SalesforceEmulator:
    return SalesforceEmulator(leads=400, seed=42)


def by_scenario(seeded: SalesforceEmulator, scenario: str) -> list[dict[str, Any]]:
    return [row for row in seeded.records() if seeded.scenario_of(row["Id"]) == scenario]


def test_given_the_seed_when_built_then_every_scenario_has_a_look(
    seeded: SalesforceEmulator,
) -> None:
    assert set(SCENARIO_LOOKS) == set(SCENARIOS)
    assert {seeded.scenario_of(str(row["Id"])) for row in seeded.records()} == set(SCENARIOS)


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_given_a_seeded_scenario_when_reading_its_leads_then_values_follow_the_table(
    seeded: SalesforceEmulator, scenario: str
) -> None:
    look = SCENARIO_LOOKS[scenario]
    for row in by_scenario(seeded, scenario):
        if look.then is None:
            statuses = (look.status,) if isinstance(look.status, str) else look.status
            assert row["Status"] in statuses
        assert (row["Nurture_Reason__c"] in look.nurture) or (
            not look.nurture and row["Nurture_Reason__c"] is None
        )
        assert (row["Unqualified_Reason__c"] in look.unqualified) or (
            not look.unqualified and row["Unqualified_Reason__c"] is None
        )


def test_given_after_creation_steps_when_seeded_then_converted_deleted_and_merged(
    seeded: SalesforceEmulator,
) -> None:
    assert all(
        r["IsConverted"] and r["Status"] == "Closed - Converted"
        for r in by_scenario(seeded, "converted")
    )
    assert all(
        r["IsDeleted"] and r["MasterRecordId"] is None for r in by_scenario(seeded, "deleted")
    )
    merged = by_scenario(seeded, "merged")
    assert merged and all(r["IsDeleted"] and r["MasterRecordId"] for r in merged)
    broken = by_scenario(seeded, "broken_record")[0]
    assert len(str(broken["Description"]).encode()) == 100_000
    assert "\U0001f984" in str(broken["FirstName"])


def test_given_seeded_ids_when_checked_then_18_chars_with_a_valid_checksum(
    seeded: SalesforceEmulator,
) -> None:
    ids = [str(row["Id"]) for row in seeded.records()]
    assert all(valid_id(lead_id, "00Q") for lead_id in ids)
    assert ids == sorted(ids)  # creation order is id order
    assert seeded.record(ids[3][:15])["Id"] == ids[3]


def test_given_the_same_seed_when_built_twice_then_identical_leads() -> None:
    assert (
        SalesforceEmulator(leads=50, seed=7).records()
        == SalesforceEmulator(leads=50, seed=7).records()
    )


def test_given_an_emulator_when_saved_and_loaded_then_same_leads_and_usage(tmp_path: Path) -> None:
    clock = FrozenClock(START)
    original = SalesforceEmulator(leads=30, now=clock)
    original.human_edit(str(original.records()[0]["Id"]), {"Title": "Saved"})
    original.save(tmp_path / "salesforce.json")
    loaded = SalesforceEmulator.load(tmp_path / "salesforce.json", now=clock)
    assert loaded.records() == original.records()
    assert loaded.scenario_of(str(original.records()[4]["Id"])) == original.scenario_of(
        str(original.records()[4]["Id"])
    )
    fresh = loaded.store.new_id()
    assert fresh not in {row["Id"] for row in original.records()}


def test_given_another_process_when_using_control_endpoints_then_edit_read_and_expire() -> None:
    with running(plain=2) as sandbox:
        lead_id = sandbox.lead()["Id"]
        base = f"{sandbox.url}/__sandbox__"
        edited = requests.post(
            f"{base}/edit", json={"id": lead_id, "fields": {"Status": "Nurture"}}, timeout=5
        )
        raw = requests.get(f"{base}/lead/{lead_id}", timeout=5).json()
        every = requests.get(f"{base}/leads", timeout=5).json()
        expired = requests.post(f"{base}/expire_sessions", timeout=5).json()
        unknown = requests.post(
            f"{base}/edit", json={"id": "00QDn000000zzzz", "fields": {}}, timeout=5
        )
        bad_field = requests.post(
            f"{base}/edit", json={"id": lead_id, "fields": {"Nope": 1}}, timeout=5
        )
    assert edited.status_code == 200 and raw["Status"] == "Nurture"
    assert raw["SystemModstamp"] == "2026-11-02T09:00:00.000+0000"
    assert len(every) == 2 and expired == {"expired": 1}
    assert unknown.status_code == 404 and bad_field.status_code == 400


def test_given_a_datetime_value_when_a_human_edits_then_stored_in_wire_form() -> None:
    with running(plain=1, quirks_off={"no_status_changed_field"}) as sandbox:
        moment = datetime(2026, 10, 1, 8, 30, 15, 123456, tzinfo=UTC)
        row = sandbox.emulator.human_edit(sandbox.lead()["Id"], {"Status_Changed_At__c": moment})
        fetched = sandbox.sf.query("SELECT Status_Changed_At__c FROM Lead")["records"][0]
    assert row["Status_Changed_At__c"] == "2026-10-01T08:30:15.123+0000"
    assert fetched["Status_Changed_At__c"] == row["Status_Changed_At__c"]
