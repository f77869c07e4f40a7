"""Properties API, custom object schemas and the generic objects API of the HubSpot emulator."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hubspot.crm.contacts import SimplePublicObjectInput
from hubspot.crm.contacts.exceptions import ApiException as ContactsApiException
from hubspot.crm.objects import ApiException as ObjectsApiException
from hubspot.crm.objects import (
    BatchInputSimplePublicObjectBatchInput,
    BatchInputSimplePublicObjectBatchInputForCreate,
    BatchInputSimplePublicObjectBatchInputUpsert,
    BatchReadInputSimplePublicObjectId,
    PublicObjectSearchRequest,
    SimplePublicObjectBatchInput,
    SimplePublicObjectBatchInputForCreate,
    SimplePublicObjectBatchInputUpsert,
    SimplePublicObjectId,
    SimplePublicObjectInputForCreate,
)
from hubspot.crm.properties import (
    ApiException,
    OptionInput,
    PropertyCreate,
    PropertyGroupCreate,
    PropertyUpdate,
)

from connectors.sandbox.hubspot.defaults import CATALOGUE_CODES, LEGACY_REASONS
from tests.sandbox.hubspot_support import Running, error_body, feedback_schema, raw, running


def test_given_the_seeded_portal_then_default_and_custom_contact_properties_exist() -> None:
    with running() as hs:
        names = {p.name for p in hs.client.crm.properties.core_api.get_all("contacts").results}
        assert {
            "email",
            "firstname",
            "lastname",
            "phone",
            "company",
            "industry",
            "country",
            "jobtitle",
            "hs_lead_status",
            "lifecyclestage",
            "hs_analytics_source",
            "createdate",
            "lastmodifieddate",
            "hs_lastmodifieddate",
            "hs_object_id",
            "hubspotscore",
            "nurture_reason",
            "unqualified_reason",
            "reason_detail",
            "campaign",
            "wants_call",
            "leadloop_review",
            "hubspot_owner_id",
            "hs_lifecyclestage_customer_date",
        } <= names


def test_given_reason_properties_then_codes_and_legacy_values_are_options_but_one_is_missing() -> (
    None
):
    with running() as hs:
        api = hs.client.crm.properties.core_api
        nurture = [o.value for o in api.get_by_name("contacts", "nurture_reason").options]
        unqualified = [o.value for o in api.get_by_name("contacts", "unqualified_reason").options]
        assert unqualified == [*CATALOGUE_CODES, *LEGACY_REASONS]
        assert "low_interest_score" not in nurture
        assert set(nurture) == set(unqualified) - {"low_interest_score"}
        status = api.get_by_name("contacts", "hs_lead_status")
        assert [o.value for o in status.options] == [
            "NEW",
            "OPEN",
            "IN_PROGRESS",
            "OPEN_DEAL",
            "UNQUALIFIED",
            "ATTEMPTED_TO_CONTACT",
            "CONNECTED",
            "BAD_TIMING",
        ]
        assert api.get_by_name("contacts", "hs_object_id").modification_metadata.read_only_value


def test_given_a_missing_option_when_it_is_added_then_writes_with_it_succeed() -> None:
    with running(contacts=3) as hs:
        contact_id = str(next(hs.emulator.contacts.live()).id)
        write = SimplePublicObjectInput(properties={"nurture_reason": "low_interest_score"})
        with pytest.raises(ContactsApiException):
            hs.client.crm.contacts.basic_api.update(contact_id, write)
        api = hs.client.crm.properties.core_api
        current = api.get_by_name("contacts", "nurture_reason").options
        options = [
            OptionInput(
                label=o.label, value=o.value, display_order=o.display_order, hidden=o.hidden
            )
            for o in current
        ]
        options.append(
            OptionInput(
                label="Low interest score",
                value="low_interest_score",
                display_order=len(options),
                hidden=False,
            )
        )
        updated = api.update("contacts", "nurture_reason", PropertyUpdate(options=options))
        assert updated.options[-1].value == "low_interest_score"
        written = hs.client.crm.contacts.basic_api.update(contact_id, write)
        assert written.properties["nurture_reason"] == "low_interest_score"


def test_given_a_new_property_when_created_twice_then_201_then_409_conflict() -> None:
    with running() as hs:
        api = hs.client.crm.properties.core_api
        create = PropertyCreate(
            name="sf_unqualified_reason",
            label="SF Unqualified Reason",
            type="enumeration",
            field_type="select",
            group_name="leadloop",
            options=[
                OptionInput(label="No Budget", value="no_budget", display_order=0, hidden=False)
            ],
        )
        _, status, _ = api.create_with_http_info("contacts", create)
        assert status == 201
        assert api.get_by_name("contacts", "sf_unqualified_reason").options[0].value == "no_budget"
        with pytest.raises(ApiException) as caught:
            api.create("contacts", create)
        assert caught.value.status == 409
        assert error_body(caught.value)["category"] == "CONFLICT"


def test_given_a_property_group_when_created_then_it_is_listed() -> None:
    with running() as hs:
        groups = hs.client.crm.properties.groups_api
        groups.create("contacts", PropertyGroupCreate(name="feedback", label="Feedback"))
        assert "feedback" in {g.name for g in groups.get_all("contacts").results}
        with pytest.raises(ApiException) as caught:
            groups.create("contacts", PropertyGroupCreate(name="feedback", label="Again"))
        assert caught.value.status == 409


@pytest.fixture
def portal() -> Iterator[tuple[Running, str]]:
    with running() as hs:
        schema = hs.client.crm.schemas.core_api.create(feedback_schema())
        yield hs, schema.object_type_id


def test_given_a_schema_when_created_then_it_is_found_by_id_and_by_name(
    portal: tuple[Running, str],
) -> None:
    hs, type_id = portal
    schemas = hs.client.crm.schemas.core_api
    assert type_id.startswith("2-")
    assert schemas.get_by_id(type_id).name == "reason_feedback"
    assert schemas.get_by_id("reason_feedback").object_type_id == type_id
    assert [s.object_type_id for s in schemas.get_all().results] == [type_id]
    assert "feedback_key" in {p.name for p in schemas.get_by_id(type_id).properties}


def _upsert(rows: dict[str, str]) -> BatchInputSimplePublicObjectBatchInputUpsert:
    return BatchInputSimplePublicObjectBatchInputUpsert(
        inputs=[
            SimplePublicObjectBatchInputUpsert(
                id=key,
                id_property="feedback_key",
                properties={"reason": "unresponsive", "count": count},
            )
            for key, count in rows.items()
        ]
    )


@pytest.mark.parametrize("alias", ["type_id", "p_reason_feedback", "p4242424_reason_feedback"])
def test_given_a_custom_object_when_upserting_twice_then_records_are_not_duplicated(
    portal: tuple[Running, str], alias: str
) -> None:
    hs, type_id = portal
    object_type = type_id if alias == "type_id" else alias
    batch = hs.client.crm.objects.batch_api
    first = batch.upsert(object_type, _upsert({"2026-W10|web": "3", "2026-W10|ads": "1"}))
    second = batch.upsert(object_type, _upsert({"2026-W10|web": "4", "2026-W10|ads": "1"}))
    assert [r.new for r in first.results] == [True, True]
    assert [r.new for r in second.results] == [False, False]
    rows = hs.client.crm.objects.basic_api.get_page(
        object_type, properties=["feedback_key", "count"]
    ).results
    assert sorted((r.properties["feedback_key"], r.properties["count"]) for r in rows) == [
        ("2026-W10|ads", "1"),
        ("2026-W10|web", "4"),
    ]


def test_given_custom_records_then_generic_create_get_and_search_work(
    portal: tuple[Running, str],
) -> None:
    hs, type_id = portal
    objects = hs.client.crm.objects
    created, status = raw(
        objects.basic_api.create_with_http_info,
        type_id,
        SimplePublicObjectInputForCreate(
            properties={"feedback_key": "k1", "reason": "wrong_persona", "count": "7"}
        ),
    )
    assert status == 200
    assert objects.basic_api.get_by_id(type_id, created["id"]).properties["feedback_key"] == "k1"
    hs.clock.advance(seconds=3)  # the search index lag
    found = objects.search_api.do_search(
        type_id,
        PublicObjectSearchRequest(
            filter_groups=[
                {"filters": [{"propertyName": "count", "operator": "GTE", "value": "7"}]}
            ]
        ),
    )
    assert [r.id for r in found.results] == [created["id"]]
    assert found.results[0].properties["hs_lastmodifieddate"] == "2026-11-02T09:00:00.000Z"
    store = hs.emulator.schemas.resolve(type_id)
    assert store is not None and len(list(store.live())) == 1


def test_given_an_unknown_object_type_then_400() -> None:
    with running() as hs:
        with pytest.raises(ObjectsApiException) as caught:
            hs.client.crm.objects.basic_api.get_page("p_nothing")
        assert caught.value.status == 400


def test_given_custom_records_then_batch_create_read_update_and_archive_work(
    portal: tuple[Running, str],
) -> None:
    hs, type_id = portal
    batch = hs.client.crm.objects.batch_api
    created, _ = raw(
        batch.create_with_http_info,
        type_id,
        BatchInputSimplePublicObjectBatchInputForCreate(
            inputs=[
                SimplePublicObjectBatchInputForCreate(properties={"feedback_key": k, "count": "1"})
                for k in ("a", "b")
            ]
        ),
    )
    ids = sorted(r["id"] for r in created["results"])
    batch.update(
        type_id,
        BatchInputSimplePublicObjectBatchInput(
            inputs=[SimplePublicObjectBatchInput(id=ids[0], properties={"count": "5"})]
        ),
    )
    read = batch.read(
        type_id,
        BatchReadInputSimplePublicObjectId(
            inputs=[SimplePublicObjectId(id="b")], properties=["count"], id_property="feedback_key"
        ),
    )
    assert [r.id for r in read.results] == [ids[1]]
    hs.client.crm.objects.basic_api.archive(type_id, ids[1])
    left = hs.client.crm.objects.basic_api.get_page(type_id, properties=["count"]).results
    assert [(r.id, r.properties["count"]) for r in left] == [(ids[0], "5")]
