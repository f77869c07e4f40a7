"""Tasks and notes of the HubSpot emulator (a flag channel: a task for a contact's owner)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hubspot.crm.objects.tasks import (
    ApiException,
    AssociationSpec,
    BatchInputSimplePublicObjectBatchInput,
    BatchInputSimplePublicObjectBatchInputForCreate,
    PublicAssociationsForObject,
    PublicObjectId,
    PublicObjectSearchRequest,
    SimplePublicObjectBatchInput,
    SimplePublicObjectBatchInputForCreate,
    SimplePublicObjectInput,
    SimplePublicObjectInputForCreate,
)

from connectors.sandbox.hubspot import HubSpotEmulator
from tests.sandbox.hubspot_support import Running, create_contacts, error_body, raw, running

DUE = "2026-11-09T09:00:00.000Z"


def _to_contact(contact_id: str, type_id: int = 204) -> list[PublicAssociationsForObject]:
    return [
        PublicAssociationsForObject(
            to=PublicObjectId(id=contact_id),
            types=[
                AssociationSpec(association_category="HUBSPOT_DEFINED", association_type_id=type_id)
            ],
        )
    ]


def _flag_task(contact_id: str, **extra: str) -> SimplePublicObjectInputForCreate:
    properties = {
        "hs_timestamp": DUE,
        "hs_task_subject": "Add a disqualification reason",
        "hs_task_status": "NOT_STARTED",
        "hubspot_owner_id": "61000002",
        **extra,
    }
    return SimplePublicObjectInputForCreate(
        properties=properties, associations=_to_contact(contact_id)
    )


def _create_task(hs: Running, body: SimplePublicObjectInputForCreate) -> dict[str, Any]:
    created, status = raw(hs.client.crm.objects.tasks.basic_api.create_with_http_info, body)
    assert status == 200
    return dict(created)


def _open_tasks_of(hs: Running, contact_id: str) -> list[str]:
    """A contact's open tasks the way the search guide documents it."""
    answer = hs.client.crm.objects.tasks.search_api.do_search(
        PublicObjectSearchRequest(
            filter_groups=[
                {
                    "filters": [
                        {
                            "propertyName": "associations.contact",
                            "operator": "EQ",
                            "value": contact_id,
                        },
                        {
                            "propertyName": "hs_task_status",
                            "operator": "EQ",
                            "value": "NOT_STARTED",
                        },
                    ]
                }
            ],
            properties=["hs_task_subject", "hs_task_status"],
        )
    )
    return [r.id for r in answer.results]


def test_given_a_task_for_a_contact_when_created_then_200_and_associated_both_ways() -> None:
    with running() as hs:
        (contact,) = create_contacts(hs, {"email": "a@x.io"})
        created = _create_task(hs, _flag_task(contact))
        assert created["properties"]["hs_task_status"] == "NOT_STARTED"
        task = hs.client.crm.objects.tasks.basic_api.get_by_id(
            created["id"], properties=["hs_task_subject"], associations=["contacts"]
        )
        assert [(a.id, a.type) for a in task.associations["contacts"].results] == [
            (contact, "task_to_contact")
        ]
        back = hs.client.crm.contacts.basic_api.get_by_id(contact, associations=["tasks"])
        assert [(a.id, a.type) for a in back.associations["tasks"].results] == [
            (created["id"], "contact_to_task")
        ]


def test_given_a_new_task_when_searching_a_contacts_open_tasks_then_found_after_the_lag() -> None:
    with running() as hs:
        first, second = create_contacts(hs, {"email": "a@x.io"}, {"email": "b@x.io"})
        task = _create_task(hs, _flag_task(first))["id"]
        _create_task(hs, _flag_task(second))
        assert _open_tasks_of(hs, first) == []  # search has not indexed it yet
        hs.clock.advance(seconds=3)
        assert _open_tasks_of(hs, first) == [task]


def test_given_an_open_task_when_completed_then_it_leaves_the_open_search() -> None:
    with running() as hs:
        (contact,) = create_contacts(hs, {"email": "a@x.io"})
        task = _create_task(hs, _flag_task(contact))["id"]
        hs.client.crm.objects.tasks.basic_api.update(
            task, SimplePublicObjectInput(properties={"hs_task_status": "COMPLETED"})
        )
        hs.clock.advance(seconds=3)
        assert _open_tasks_of(hs, contact) == []
        done = hs.client.crm.objects.tasks.basic_api.get_by_id(task, properties=["hs_task_status"])
        assert done.properties["hs_task_status"] == "COMPLETED"


def test_given_a_task_update_with_unknown_or_read_only_properties_then_they_are_ignored() -> None:
    with running() as hs:
        (contact,) = create_contacts(hs, {"email": "a@x.io"})
        task = _create_task(hs, _flag_task(contact))["id"]
        updated = hs.client.crm.objects.tasks.basic_api.update(
            task,
            SimplePublicObjectInput(
                properties={"hs_task_priority": "HIGH", "no_such": "x", "hs_createdate": "0"}
            ),
        )
        assert updated.properties["hs_task_priority"] == "HIGH"
        assert "no_such" not in updated.properties


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (_flag_task("0").__class__(properties={"hs_task_subject": "x"}), "hs_timestamp"),
        (_flag_task("424242"), "No 0-1 record with id '424242'"),
        (
            SimplePublicObjectInputForCreate(
                properties={"hs_timestamp": DUE}, associations=_to_contact("1001", type_id=202)
            ),
            "associationTypeId 202",
        ),
        (_flag_task("1001", hs_task_status="DONE"), "DONE was not one of the allowed options"),
    ],
)
def test_given_a_bad_task_when_created_then_400_and_nothing_stored(
    body: SimplePublicObjectInputForCreate, fragment: str
) -> None:
    with running() as hs:
        create_contacts(hs, {"email": "a@x.io"})  # id 1001
        with pytest.raises(ApiException) as caught:
            hs.client.crm.objects.tasks.basic_api.create(body)
        assert caught.value.status == 400
        assert fragment in error_body(caught.value)["message"]
        assert list(hs.emulator.tasks.live()) == []


def test_given_tasks_for_many_contacts_when_batch_created_and_completed_then_both_apply() -> None:
    with running() as hs:
        contacts = create_contacts(hs, *({"email": f"c{n}@x.io"} for n in range(3)))
        batch = BatchInputSimplePublicObjectBatchInputForCreate(
            inputs=[
                SimplePublicObjectBatchInputForCreate(
                    properties=_flag_task(c).properties, associations=_to_contact(c)
                )
                for c in contacts
            ]
        )
        created, status = raw(hs.client.crm.objects.tasks.batch_api.create_with_http_info, batch)
        assert status == 200
        tasks = sorted(r["id"] for r in created["results"])
        hs.client.crm.objects.tasks.batch_api.update(
            BatchInputSimplePublicObjectBatchInput(
                inputs=[
                    SimplePublicObjectBatchInput(id=t, properties={"hs_task_status": "COMPLETED"})
                    for t in tasks[:2]
                ]
            )
        )
        hs.clock.advance(seconds=3)
        assert [c for c in contacts if _open_tasks_of(hs, c)] == [contacts[2]]


def test_given_a_note_for_a_contact_when_created_then_it_is_associated() -> None:
    with running() as hs:
        (contact,) = create_contacts(hs, {"email": "a@x.io"})
        note, status = raw(
            hs.client.crm.objects.notes.basic_api.create_with_http_info,
            SimplePublicObjectInputForCreate(
                properties={"hs_timestamp": DUE, "hs_note_body": "Reason missing"},
                associations=_to_contact(contact, type_id=202),
            ),
        )
        assert status == 200
        back = hs.client.crm.contacts.basic_api.get_by_id(contact, associations=["notes"])
        assert [a.id for a in back.associations["notes"].results] == [note["id"]]


def test_given_a_contact_search_through_task_associations_then_new_links_show_at_once() -> None:
    with running() as hs:
        (contact,) = create_contacts(hs, {"email": "a@x.io"})
        hs.clock.advance(seconds=3)

        def by_task(task_id: str) -> list[str]:
            request = PublicObjectSearchRequest(
                filter_groups=[
                    {
                        "filters": [
                            {
                                "propertyName": "associations.task",
                                "operator": "EQ",
                                "value": task_id,
                            }
                        ]
                    }
                ]
            )
            return [r.id for r in hs.client.crm.contacts.search_api.do_search(request).results]

        assert by_task("71000001") == []
        task = _create_task(hs, _flag_task(contact))["id"]
        assert task == "71000001"
        assert by_task(task) == [contact]  # the contact itself was not written


def test_given_a_saved_emulator_when_loaded_then_tasks_and_their_links_survive(
    tmp_path: Path,
) -> None:
    with running() as hs:
        (contact,) = create_contacts(hs, {"email": "a@x.io"})
        task = _create_task(hs, _flag_task(contact))["id"]
        hs.emulator.save(tmp_path / "hubspot.json")
    loaded = HubSpotEmulator.load(tmp_path / "hubspot.json", now=hs.clock)
    assert loaded.tasks.records[int(task)].properties["hs_task_status"] == "NOT_STARTED"
    assert loaded.associations.ids_of(("0-1", int(contact)), "0-27") == [int(task)]
