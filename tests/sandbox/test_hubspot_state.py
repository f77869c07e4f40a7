"""Human edits, before_next hooks, the control API, merge/archive and save/load."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import urllib3
from hubspot.crm.contacts import (
    BatchInputSimplePublicObjectBatchInput,
    BatchReadInputSimplePublicObjectId,
    PublicMergeInput,
    SimplePublicObjectBatchInput,
    SimplePublicObjectId,
)

from connectors.sandbox.hubspot import HubSpotEmulator
from tests.sandbox.hubspot_support import START, FrozenClock, running


def test_given_a_human_edit_then_the_value_changes_and_lastmodifieddate_moves() -> None:
    with running(contacts=5) as hs:
        contact_id = str(next(hs.emulator.contacts.live()).id)
        hs.clock.advance(hours=1)
        hs.emulator.human_edit(contact_id, {"hs_lead_status": "CONNECTED"})
        seen = hs.client.crm.contacts.basic_api.get_by_id(contact_id, properties=["hs_lead_status"])
        assert seen.properties["hs_lead_status"] == "CONNECTED"
        assert seen.properties["lastmodifieddate"] == "2026-11-02T10:00:00.000Z"


def test_given_a_human_edit_with_a_bad_option_then_it_is_refused_naming_the_contact() -> None:
    with running(contacts=2) as hs:
        contact_id = str(next(hs.emulator.contacts.live()).id)
        with pytest.raises(ValueError, match=contact_id):
            hs.emulator.human_edit(contact_id, {"hs_lead_status": "Done"})


def test_given_before_next_then_the_edit_lands_between_our_read_and_our_write() -> None:
    with running(contacts=3) as hs:
        contact_id = str(next(hs.emulator.contacts.live()).id)
        batch = hs.client.crm.contacts.batch_api
        read = batch.read(
            BatchReadInputSimplePublicObjectId(
                inputs=[SimplePublicObjectId(id=contact_id)], properties=["lastmodifieddate"]
            )
        )
        before = read.results[0].properties["lastmodifieddate"]
        calls: list[str] = []

        def rep_edits() -> None:
            calls.append("edit")
            hs.clock.advance(seconds=5)
            hs.emulator.human_edit(contact_id, {"leadloop_review": "rep says keep"})

        hs.emulator.before_next("batch_update", rep_edits)
        hs.client.crm.contacts.batch_api.read(
            BatchReadInputSimplePublicObjectId(
                inputs=[SimplePublicObjectId(id=contact_id)], properties=["email"]
            )
        )
        assert calls == []  # other operations do not trigger it
        hs.clock.advance(seconds=1)
        written = batch.update(
            BatchInputSimplePublicObjectBatchInput(
                inputs=[
                    SimplePublicObjectBatchInput(
                        id=contact_id, properties={"phone": "+1 415 555 0100"}
                    )
                ]
            )
        )
        batch.update(
            BatchInputSimplePublicObjectBatchInput(
                inputs=[
                    SimplePublicObjectBatchInput(
                        id=contact_id, properties={"phone": "+1 415 555 0101"}
                    )
                ]
            )
        )
        assert calls == ["edit"]  # once only
        assert written.results[0].properties["leadloop_review"] == "rep says keep"
        assert before < written.results[0].properties["lastmodifieddate"]
        assert written.results[0].properties["lastmodifieddate"] == "2026-11-02T09:00:06.000Z"


def test_given_the_control_api_then_edits_and_raw_reads_work_over_http() -> None:
    with running(contacts=4) as hs:
        pool = urllib3.PoolManager()
        contact_id = str(next(hs.emulator.contacts.live()).id)
        edit = pool.request(
            "POST",
            f"{hs.url}/__sandbox__/edit",
            body=json.dumps({"id": contact_id, "properties": {"leadloop_review": "flagged"}}),
        )
        assert edit.status == 200
        raw = pool.request("GET", f"{hs.url}/__sandbox__/contact/{contact_id}").json()
        assert raw["properties"]["leadloop_review"] == "flagged"
        assert raw["scenario"] == hs.emulator.scenario_of(contact_id)
        everyone = pool.request("GET", f"{hs.url}/__sandbox__/contacts").json()["results"]
        assert len(everyone) == len(hs.emulator.contacts.records)
        assert pool.request("GET", f"{hs.url}/__sandbox__/contact/1").status == 404
        assert pool.request("GET", f"{hs.url}/__sandbox__/stats").json()["total"] == 0


def test_given_a_custom_object_then_the_control_api_lists_its_records() -> None:
    with running() as hs:
        pool = urllib3.PoolManager()
        headers = {
            "Authorization": f"Bearer {hs.emulator.access_token}",
            "Content-Type": "application/json",
        }
        egg = {
            "name": "fb",
            "labels": {"singular": "Fb", "plural": "Fbs"},
            "properties": [
                {
                    "name": "key",
                    "label": "Key",
                    "type": "string",
                    "fieldType": "text",
                    "hasUniqueValue": True,
                }
            ],
        }
        created = pool.request(
            "POST", f"{hs.url}/crm/v3/schemas", body=json.dumps(egg), headers=headers
        )
        assert created.status == 201
        pool.request(
            "POST",
            f"{hs.url}/crm/v3/objects/p_fb",
            headers=headers,
            body=json.dumps({"properties": {"key": "a"}}),
        )
        listed = pool.request("GET", f"{hs.url}/__sandbox__/objects/p_fb").json()["results"]
        assert [r["properties"]["key"] for r in listed] == ["a"]


def test_given_two_contacts_when_merged_then_secondary_is_archived_and_resolves_to_primary() -> (
    None
):
    with running() as hs:
        hs.emulator.add_contacts(2)
        primary, secondary = (str(r.id) for r in hs.emulator.contacts.live())
        hs.emulator.merge(primary, secondary)
        assert hs.emulator.contact(secondary)["archived"] is True
        assert hs.emulator.contact(primary)["properties"]["hs_merged_object_ids"] == secondary
        via_old_id = hs.client.crm.contacts.basic_api.get_by_id(secondary)
        assert via_old_id.id == primary


def test_given_an_archived_contact_then_only_archived_listing_shows_it() -> None:
    with running() as hs:
        (contact_id,) = hs.emulator.add_contacts(1)
        hs.emulator.archive(contact_id)
        api = hs.client.crm.contacts.basic_api
        assert api.get_page().results == []
        assert [c.id for c in api.get_page(archived=True).results] == [contact_id]


def test_given_a_saved_emulator_when_loaded_then_contacts_schemas_and_config_survive(
    tmp_path: Path,
) -> None:
    clock = FrozenClock(START)
    with running(clock, contacts=30, create_status=200, tier="starter") as hs:
        contact_id = str(next(hs.emulator.contacts.live()).id)
        hs.emulator.human_edit(contact_id, {"leadloop_review": "before save"})
        pool = urllib3.PoolManager()
        egg = {
            "name": "fb",
            "labels": {"singular": "Fb", "plural": "Fbs"},
            "properties": [
                {
                    "name": "key",
                    "label": "Key",
                    "type": "string",
                    "fieldType": "text",
                    "hasUniqueValue": True,
                }
            ],
        }
        pool.request(
            "POST",
            f"{hs.url}/crm/v3/schemas",
            body=json.dumps(egg),
            headers={"Authorization": f"Bearer {hs.emulator.access_token}"},
        )
        hs.emulator.save(tmp_path / "hubspot.json")
        before = {i: r.to_json(None) for i, r in hs.emulator.contacts.records.items()}
    loaded = HubSpotEmulator.load(tmp_path / "hubspot.json", now=clock)
    assert {i: r.to_json(None) for i, r in loaded.contacts.records.items()} == before
    assert loaded.create_status == 200 and loaded.limiter.tier == "starter"
    assert loaded.scenario_of(contact_id) is not None
    assert loaded.schemas.resolve("p_fb") is not None
    email = loaded.contact(contact_id)["properties"]["email"]
    assert loaded.contacts.find(email, "email") is not None


def test_given_a_state_file_of_another_version_then_load_refuses_it(tmp_path: Path) -> None:
    path = tmp_path / "old.json"
    path.write_text(json.dumps({"version": 0}))
    with pytest.raises(ValueError, match="unsupported state version"):
        HubSpotEmulator.load(path)


def test_given_the_merge_endpoint_then_the_sdk_merges_two_contacts() -> None:
    with running() as hs:
        primary, secondary = hs.emulator.add_contacts(2)
        merged = hs.client.crm.contacts.basic_api.merge(
            PublicMergeInput(primary_object_id=primary, object_id_to_merge=secondary)
        )
        assert merged.id == primary
        assert merged.properties["hs_merged_object_ids"] == secondary
        assert hs.emulator.contact(secondary)["archived"] is True
