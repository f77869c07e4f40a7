"""Batch endpoints of the HubSpot emulator through the real hubspot-api-client."""

from __future__ import annotations

import pytest
from hubspot.crm.contacts import (
    ApiException,
    BatchInputSimplePublicObjectBatchInput,
    BatchInputSimplePublicObjectBatchInputForCreate,
    BatchInputSimplePublicObjectBatchInputUpsert,
    BatchInputSimplePublicObjectId,
    BatchReadInputSimplePublicObjectId,
    BatchResponseSimplePublicObject,
    BatchResponseSimplePublicObjectWithErrors,
    SimplePublicObjectBatchInput,
    SimplePublicObjectBatchInputForCreate,
    SimplePublicObjectBatchInputUpsert,
    SimplePublicObjectId,
)

from connectors.sandbox.hubspot.errors import BATCH_LIMIT_MESSAGE
from tests.sandbox.hubspot_support import Running, error_body, running


def _create(hs: Running, *emails: str) -> list[str]:
    batch = BatchInputSimplePublicObjectBatchInputForCreate(
        inputs=[SimplePublicObjectBatchInputForCreate(properties={"email": e}) for e in emails]
    )
    created = hs.client.crm.contacts.batch_api.create(batch)
    return [r.id for r in sorted(created.results, key=lambda r: int(r.id))]


def _update(*changes: tuple[str, dict[str, str]]) -> BatchInputSimplePublicObjectBatchInput:
    return BatchInputSimplePublicObjectBatchInput(
        inputs=[SimplePublicObjectBatchInput(id=i, properties=p) for i, p in changes]
    )


def test_given_two_new_contacts_when_batch_creating_then_201_with_both() -> None:
    with running() as hs:
        _, status, _ = hs.client.crm.contacts.batch_api.create_with_http_info(
            BatchInputSimplePublicObjectBatchInputForCreate(
                inputs=[
                    SimplePublicObjectBatchInputForCreate(properties={"email": "a@x.io"}),
                    SimplePublicObjectBatchInputForCreate(properties={"email": "b@x.io"}),
                ]
            )
        )
        assert status == 201
        assert len(list(hs.emulator.contacts.live())) == 2


def test_given_known_and_unknown_ids_when_batch_reading_then_207_lists_the_missing_ids() -> None:
    with running() as hs:
        ids = _create(hs, "a@x.io", "b@x.io")
        answer = hs.client.crm.contacts.batch_api.read(
            BatchReadInputSimplePublicObjectId(
                inputs=[SimplePublicObjectId(id=i) for i in [*ids, "999", "998"]],
                properties=["email"],
            )
        )
        assert isinstance(answer, BatchResponseSimplePublicObjectWithErrors)
        assert sorted(r.properties["email"] for r in answer.results) == ["a@x.io", "b@x.io"]
        assert answer.num_errors == 1
        assert answer.errors[0].category == "OBJECT_NOT_FOUND"
        assert answer.errors[0].context == {"ids": ["999", "998"]}


def test_given_emails_when_batch_reading_by_id_property_then_contacts_are_found() -> None:
    with running() as hs:
        _create(hs, "a@x.io")
        answer = hs.client.crm.contacts.batch_api.read(
            BatchReadInputSimplePublicObjectId(
                inputs=[SimplePublicObjectId(id="A@X.IO")],
                properties=["email"],
                id_property="email",
            )
        )
        assert isinstance(answer, BatchResponseSimplePublicObject)
        assert answer.results[0].properties["email"] == "a@x.io"


@pytest.mark.parametrize("call", ["read", "create", "update", "upsert", "archive"])
def test_given_101_inputs_when_calling_any_batch_endpoint_then_400_with_hubspots_message(
    call: str,
) -> None:
    inputs = {
        "read": BatchReadInputSimplePublicObjectId(
            inputs=[SimplePublicObjectId(id=str(i)) for i in range(101)], properties=[]
        ),
        "create": BatchInputSimplePublicObjectBatchInputForCreate(
            inputs=[SimplePublicObjectBatchInputForCreate(properties={}) for _ in range(101)]
        ),
        "update": _update(*[(str(i), {}) for i in range(101)]),
        "upsert": BatchInputSimplePublicObjectBatchInputUpsert(
            inputs=[
                SimplePublicObjectBatchInputUpsert(
                    id=f"{i}@x.io", id_property="email", properties={}
                )
                for i in range(101)
            ]
        ),
        "archive": BatchInputSimplePublicObjectId(
            inputs=[SimplePublicObjectId(id=str(i)) for i in range(101)]
        ),
    }[call]
    with running() as hs, pytest.raises(ApiException) as caught:
        getattr(hs.client.crm.contacts.batch_api, call)(inputs)
    assert caught.value.status == 400
    assert error_body(caught.value)["message"] == BATCH_LIMIT_MESSAGE
    assert error_body(caught.value)["category"] == "VALIDATION_ERROR"


def test_given_100_inputs_when_batch_updating_then_all_are_written() -> None:
    with running(contacts=100) as hs:
        ids = [str(r.id) for r in hs.emulator.contacts.live()][:100]
        answer = hs.client.crm.contacts.batch_api.update(
            _update(*[(i, {"leadloop_review": "checked"}) for i in ids])
        )
        assert isinstance(answer, BatchResponseSimplePublicObject)
        assert len(answer.results) == len(ids)


def test_given_mixed_inputs_when_batch_updating_then_207_keeps_the_good_and_explains_the_bad() -> (
    None
):
    with running() as hs:
        good, bad = _create(hs, "a@x.io", "b@x.io")
        hs.clock.advance(seconds=1)
        answer = hs.client.crm.contacts.batch_api.update(
            _update(
                (good, {"hs_lead_status": "UNQUALIFIED", "unqualified_reason": "wrong_persona"}),
                (bad, {"unqualified_reason": "Not a fit"}),
                ("424242", {"hs_lead_status": "NEW"}),
            )
        )
        assert isinstance(answer, BatchResponseSimplePublicObjectWithErrors)
        assert answer.status == "COMPLETE"
        assert [r.id for r in answer.results] == [good]
        assert answer.results[0].properties["lastmodifieddate"] == "2026-11-02T09:00:01.000Z"
        by_category = {e.category: e for e in answer.errors}
        assert answer.num_errors == 2
        assert by_category["OBJECT_NOT_FOUND"].context == {"ids": ["424242"]}
        invalid = by_category["VALIDATION_ERROR"]
        assert invalid.context["ids"] == [bad]
        assert "Not a fit was not one of the allowed options: [bad_timing, " in invalid.message
        assert hs.emulator.contact(bad)["properties"].get("unqualified_reason") is None


def test_given_a_read_only_property_when_batch_updating_then_the_input_fails() -> None:
    with running() as hs:
        (contact,) = _create(hs, "a@x.io")
        answer = hs.client.crm.contacts.batch_api.update(
            _update((contact, {"lastmodifieddate": "2020-01-01T00:00:00Z"}))
        )
        assert answer.errors[0].errors[0].code == "READ_ONLY_VALUE"


def test_given_duplicate_ids_in_a_batch_update_then_400() -> None:
    with running() as hs:
        (contact,) = _create(hs, "a@x.io")
        with pytest.raises(ApiException) as caught:
            hs.client.crm.contacts.batch_api.update(
                _update((contact, {"phone": "1"}), (contact, {"phone": "2"}))
            )
        assert "Duplicate IDs" in error_body(caught.value)["message"]


def test_given_an_email_when_upserting_twice_then_one_contact_new_then_existing() -> None:
    with running() as hs:
        batch = BatchInputSimplePublicObjectBatchInputUpsert(
            inputs=[
                SimplePublicObjectBatchInputUpsert(
                    id="new@x.io", id_property="email", properties={"hs_lead_status": "NEW"}
                )
            ]
        )
        first = hs.client.crm.contacts.batch_api.upsert(batch)
        second = hs.client.crm.contacts.batch_api.upsert(batch)
        assert [r.new for r in first.results] == [True]
        assert [r.new for r in second.results] == [False]
        assert first.results[0].id == second.results[0].id
        assert first.results[0].properties["email"] == "new@x.io"
        assert len(list(hs.emulator.contacts.live())) == 1


def test_given_contacts_when_batch_archiving_then_204_and_they_are_archived() -> None:
    with running() as hs:
        ids = _create(hs, "a@x.io", "b@x.io")
        _, status, _ = hs.client.crm.contacts.batch_api.archive_with_http_info(
            BatchInputSimplePublicObjectId(inputs=[SimplePublicObjectId(id=i) for i in ids])
        )
        assert status == 204
        assert list(hs.emulator.contacts.live()) == []


def test_given_create_status_200_when_batch_creating_then_sdk_returns_none() -> None:
    with running(create_status=200) as hs:
        api = hs.client.crm.contacts.batch_api
        batch = BatchInputSimplePublicObjectBatchInputForCreate(
            inputs=[SimplePublicObjectBatchInputForCreate(properties={"email": "a@x.io"})]
        )
        assert api.create(batch) is None
        assert len(list(hs.emulator.contacts.live())) == 1


def test_given_an_api_write_and_a_human_edit_then_history_lists_both_newest_first() -> None:
    with running() as hs:
        (contact,) = _create(hs, "a@x.io")
        hs.clock.advance(minutes=1)
        hs.client.crm.contacts.batch_api.update(_update((contact, {"hs_lead_status": "NEW"})))
        hs.clock.advance(minutes=1)
        hs.emulator.human_edit(contact, {"hs_lead_status": "UNQUALIFIED"})
        answer = hs.client.crm.contacts.batch_api.read(
            BatchReadInputSimplePublicObjectId(
                inputs=[SimplePublicObjectId(id=contact)],
                properties=["email"],
                properties_with_history=["hs_lead_status", "email"],
            )
        )
        history = answer.results[0].properties_with_history
        assert [
            (v.value, v.source_type, v.timestamp.minute) for v in history["hs_lead_status"]
        ] == [("UNQUALIFIED", "CRM_UI", 2), ("NEW", "INTEGRATION", 1)]
        assert [v.value for v in history["email"]] == ["a@x.io"]
        single = hs.client.crm.contacts.basic_api.get_by_id(
            contact, properties_with_history=["hs_lead_status"]
        )
        assert len(single.properties_with_history["hs_lead_status"]) == 2


def test_given_51_inputs_with_history_when_batch_reading_then_400() -> None:
    with running() as hs, pytest.raises(ApiException) as caught:
        hs.client.crm.contacts.batch_api.read(
            BatchReadInputSimplePublicObjectId(
                inputs=[SimplePublicObjectId(id=str(i)) for i in range(51)],
                properties=[],
                properties_with_history=["hs_lead_status"],
            )
        )
    assert "for property histories is 50" in error_body(caught.value)["message"]


def test_given_an_upsert_by_unknown_record_id_then_207_not_found_and_nothing_created() -> None:
    with running() as hs:
        answer = hs.client.crm.contacts.batch_api.upsert(
            BatchInputSimplePublicObjectBatchInputUpsert(
                inputs=[
                    SimplePublicObjectBatchInputUpsert(
                        id="777", id_property="hs_object_id", properties={"phone": "1"}
                    )
                ]
            )
        )
        assert answer.errors[0].category == "OBJECT_NOT_FOUND"
        assert answer.errors[0].context == {"ids": ["777"]}
        assert list(hs.emulator.contacts.live()) == []
