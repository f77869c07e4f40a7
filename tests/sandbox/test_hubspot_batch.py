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
from connectors.sandbox.hubspot.records import APP_ID
from tests.sandbox.hubspot_support import Running, create_contacts, error_body, raw, running


def _create(hs: Running, *emails: str) -> list[str]:
    return create_contacts(hs, *({"email": e} for e in emails))


def _update(*changes: tuple[str, dict[str, str]]) -> BatchInputSimplePublicObjectBatchInput:
    return BatchInputSimplePublicObjectBatchInput(
        inputs=[SimplePublicObjectBatchInput(id=i, properties=p) for i, p in changes]
    )


def _two_new() -> BatchInputSimplePublicObjectBatchInputForCreate:
    return BatchInputSimplePublicObjectBatchInputForCreate(
        inputs=[
            SimplePublicObjectBatchInputForCreate(properties={"email": "a@x.io"}),
            SimplePublicObjectBatchInputForCreate(properties={"email": "b@x.io"}),
        ]
    )


def test_given_two_new_contacts_when_batch_creating_then_200_with_both() -> None:
    with running() as hs:
        body, status = raw(hs.client.crm.contacts.batch_api.create_with_http_info, _two_new())
        assert status == 200
        assert body["status"] == "COMPLETE"
        assert sorted(r["properties"]["email"] for r in body["results"]) == ["a@x.io", "b@x.io"]
        again = BatchInputSimplePublicObjectBatchInputForCreate(
            inputs=[SimplePublicObjectBatchInputForCreate(properties={"email": "c@x.io"})]
        )
        assert hs.client.crm.contacts.batch_api.create(again) is None  # the SDK expects 201


def test_given_the_create_200_quirk_off_when_batch_creating_then_201_and_the_sdk_parses_it() -> (
    None
):
    with running(quirks_off={"create_200"}) as hs:
        created = hs.client.crm.contacts.batch_api.create(_two_new())
        assert sorted(r.properties["email"] for r in created.results) == ["a@x.io", "b@x.io"]


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


def _mixed_update(
    good: str, bad: str, traced: bool = False
) -> BatchInputSimplePublicObjectBatchInput:
    changes = [
        (good, {"hs_lead_status": "UNQUALIFIED", "unqualified_reason": "wrong_persona"}),
        (bad, {"unqualified_reason": "Not a fit"}),
    ]
    return BatchInputSimplePublicObjectBatchInput(
        inputs=[
            SimplePublicObjectBatchInput(
                id=i, properties=p, object_write_trace_id=f"trace-{i}" if traced else None
            )
            for i, p in changes
        ]
    )


def test_given_an_invalid_input_when_batch_updating_then_400_and_nothing_is_written() -> None:
    with running() as hs:
        good, bad = _create(hs, "a@x.io", "b@x.io")
        with pytest.raises(ApiException) as caught:
            hs.client.crm.contacts.batch_api.update(_mixed_update(good, bad))
        body = error_body(caught.value)
        assert (caught.value.status, body["category"]) == (400, "VALIDATION_ERROR")
        assert "Not a fit was not one of the allowed options: [bad_timing, " in body["message"]
        assert hs.emulator.contact(good)["properties"].get("hs_lead_status") is None


def test_given_trace_ids_when_batch_updating_then_207_names_the_bad_input_by_its_trace_id() -> None:
    with running() as hs:
        good, bad = _create(hs, "a@x.io", "b@x.io")
        body, status = raw(
            hs.client.crm.contacts.batch_api.update_with_http_info,
            _mixed_update(good, bad, traced=True),
        )
        assert (status, body["numErrors"]) == (207, 1)
        assert [r["id"] for r in body["results"]] == [good]
        assert body["results"][0]["objectWriteTraceId"] == f"trace-{good}"
        (problem,) = body["errors"]
        assert problem["context"] == {"objectWriteTraceId": [f"trace-{bad}"]}
        assert problem["category"] == "VALIDATION_ERROR"
        assert hs.emulator.contact(good)["properties"]["hs_lead_status"] == "UNQUALIFIED"


def test_given_an_invalid_batch_create_then_the_whole_batch_fails_unless_traced() -> None:
    with running() as hs:
        inputs = [{"email": "a@x.io"}, {"email": "b@x.io", "wants_call": "maybe"}]
        untraced = BatchInputSimplePublicObjectBatchInputForCreate(
            inputs=[SimplePublicObjectBatchInputForCreate(properties=p) for p in inputs]
        )
        with pytest.raises(ApiException) as caught:
            hs.client.crm.contacts.batch_api.create(untraced)
        assert error_body(caught.value)["errors"][0]["code"] == "INVALID_BOOL"
        assert list(hs.emulator.contacts.live()) == []
        traced = BatchInputSimplePublicObjectBatchInputForCreate(
            inputs=[
                SimplePublicObjectBatchInputForCreate(properties=p, object_write_trace_id=str(n))
                for n, p in enumerate(inputs)
            ]
        )
        body, status = raw(hs.client.crm.contacts.batch_api.create_with_http_info, traced)
        assert (status, body["errors"][0]["context"]) == (207, {"objectWriteTraceId": ["1"]})
        assert [r["properties"]["email"] for r in body["results"]] == ["a@x.io"]


def test_given_one_email_twice_in_a_batch_create_then_409_and_nothing_is_created() -> None:
    with running() as hs:
        twice = BatchInputSimplePublicObjectBatchInputForCreate(
            inputs=[SimplePublicObjectBatchInputForCreate(properties={"email": "a@x.io"})] * 2
        )
        with pytest.raises(ApiException) as caught:
            hs.client.crm.contacts.batch_api.create(twice)
        assert error_body(caught.value)["category"] == "CONFLICT"
        assert list(hs.emulator.contacts.live()) == []


def test_given_the_all_or_nothing_quirk_off_then_207_keeps_the_good_and_explains_the_bad() -> None:
    with running(quirks_off={"batch_all_or_nothing"}) as hs:
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


def test_given_a_read_only_property_when_batch_updating_then_the_batch_fails() -> None:
    with running() as hs:
        (contact,) = _create(hs, "a@x.io")
        with pytest.raises(ApiException) as caught:
            hs.client.crm.contacts.batch_api.update(
                _update((contact, {"lastmodifieddate": "2020-01-01T00:00:00Z"}))
            )
        assert error_body(caught.value)["errors"][0]["code"] == "READ_ONLY_VALUE"


@pytest.mark.parametrize("id_property", ["email", "hs_object_id"])
def test_given_an_id_property_when_batch_updating_contacts_then_400_record_ids_only(
    id_property: str,
) -> None:
    with running() as hs:
        (contact,) = _create(hs, "a@x.io")
        key = "a@x.io" if id_property == "email" else contact
        update = BatchInputSimplePublicObjectBatchInput(
            inputs=[
                SimplePublicObjectBatchInput(
                    id=key, id_property=id_property, properties={"phone": "1"}
                )
            ]
        )
        with pytest.raises(ApiException) as caught:
            hs.client.crm.contacts.batch_api.update(update)
        assert error_body(caught.value)["message"] == (
            f"Unable to perform update/upsert by non-unique 0-1 property {id_property} "
            "in portal ID 4242424"
        )
        with running(quirks_off={"id_property_rules"}) as lenient:
            (other,) = _create(lenient, "a@x.io")
            update.inputs[0].id = "a@x.io" if id_property == "email" else other
            assert lenient.client.crm.contacts.batch_api.update(update).results[0].id == other


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
            (v.value, v.source_type, v.source_id, v.updated_by_user_id, v.timestamp.minute)
            for v in history["hs_lead_status"]
        ] == [
            ("UNQUALIFIED", "CRM_UI", "userId:9100000", 9100000, 2),
            ("NEW", "INTEGRATION", APP_ID, None, 1),
        ]
        assert [(v.value, v.source_type) for v in history["email"]] == [("a@x.io", "INTEGRATION")]
        single = hs.client.crm.contacts.basic_api.get_by_id(
            contact, properties_with_history=["hs_lead_status"]
        )
        assert len(single.properties_with_history["hs_lead_status"]) == 2


def test_given_an_unchanged_value_or_an_unknown_name_then_history_adds_nothing() -> None:
    with running() as hs:
        (contact,) = create_contacts(hs, {"email": "a@x.io", "hs_lead_status": "NEW"})
        hs.clock.advance(minutes=1)
        hs.client.crm.contacts.batch_api.update(_update((contact, {"hs_lead_status": "NEW"})))
        single = hs.client.crm.contacts.basic_api.get_by_id(
            contact, properties_with_history=["hs_lead_status", "no_such_property"]
        )
        assert list(single.properties_with_history) == ["hs_lead_status"]
        assert [v.timestamp.minute for v in single.properties_with_history["hs_lead_status"]] == [0]


def test_given_a_seeded_contact_then_its_values_come_from_an_import() -> None:
    with running(contacts=3) as hs:
        contact = str(next(hs.emulator.contacts.live()).id)
        hs.emulator.human_edit(contact, {"hs_lead_status": "BAD_TIMING"}, user_id=9100002)
        single = hs.client.crm.contacts.basic_api.get_by_id(
            contact, properties_with_history=["hs_lead_status"]
        )
        entries = single.properties_with_history["hs_lead_status"]
        assert [(v.source_type, v.updated_by_user_id) for v in entries] == [
            ("CRM_UI", 9100002),
            ("IMPORT", None),
        ]


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


def test_given_an_upsert_by_hs_object_id_then_400_non_unique_property() -> None:
    with running() as hs, pytest.raises(ApiException) as caught:
        hs.client.crm.contacts.batch_api.upsert(
            BatchInputSimplePublicObjectBatchInputUpsert(
                inputs=[
                    SimplePublicObjectBatchInputUpsert(
                        id="777", id_property="hs_object_id", properties={"phone": "1"}
                    )
                ]
            )
        )
    assert "non-unique 0-1 property hs_object_id" in error_body(caught.value)["message"]


def test_given_an_upsert_by_unknown_record_id_then_207_not_found_and_nothing_created() -> None:
    with running(quirks_off={"id_property_rules"}) as hs:
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
