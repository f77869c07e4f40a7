"""What feedback push needs from the HubSpot emulator, held to the docs: custom object schemas,
a portal without them, unique-property upserts, property groups and typed properties."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hubspot.crm.contacts import ApiException as ContactsApiException
from hubspot.crm.objects import ApiException as ObjectsApiException
from hubspot.crm.objects import (
    BatchInputSimplePublicObjectBatchInputUpsert,
    SimplePublicObjectBatchInputUpsert,
    SimplePublicObjectInputForCreate,
)
from hubspot.crm.properties import ApiException as PropertiesApiException
from hubspot.crm.properties import OptionInput, PropertyCreate, PropertyGroupCreate
from hubspot.crm.schemas import ApiException as SchemasApiException
from hubspot.crm.schemas import ObjectSchemaEgg, ObjectTypeDefinitionLabels
from hubspot.crm.schemas import ObjectTypePropertyCreate as SchemaProperty
from hubspot.crm.schemas.exceptions import ForbiddenException

from tests.sandbox.hubspot_support import Running, error_body, feedback_schema, raw, running


def _egg(**changes: Any) -> ObjectSchemaEgg:
    """The feedback schema with a required date ``period``."""
    period = SchemaProperty(name="period", label="Period", type="date", field_type="date")
    changes.setdefault("required_properties", ["feedback_key", "period"])
    return feedback_schema(period, **changes)


@pytest.fixture
def portal() -> Iterator[tuple[Running, str]]:
    with running() as hs:
        yield hs, hs.client.crm.schemas.core_api.create(_egg()).object_type_id


def _upsert(*rows: tuple[str, dict[str, str]], id_property: str = "feedback_key") -> Any:
    return BatchInputSimplePublicObjectBatchInputUpsert(
        inputs=[
            SimplePublicObjectBatchInputUpsert(id=key, id_property=id_property, properties=props)
            for key, props in rows
        ]
    )


def test_given_a_portal_without_custom_objects_then_schema_calls_get_403_missing_scopes() -> None:
    with running(custom_objects=False) as hs:
        schemas = hs.client.crm.schemas.core_api
        with pytest.raises(ForbiddenException) as listing:
            schemas.get_all()
        with pytest.raises(ForbiddenException) as creating:
            schemas.create(_egg())
        body = error_body(creating.value)
        assert body["category"] == "MISSING_SCOPES"
        assert body["message"].startswith("This app hasn't been granted all required scopes")
        assert body["errors"][0]["context"] == {"missingScopes": ["crm.schemas.custom.write"]}
        assert error_body(listing.value)["errors"][0]["context"]["missingScopes"] == [
            "crm.schemas.custom.read"
        ]
        assert hs.emulator.schemas.stores == {}


def test_given_a_schema_then_its_properties_sit_in_its_own_group_with_the_docs_defaults(
    portal: tuple[Running, str],
) -> None:
    hs, type_id = portal
    schema = hs.client.crm.schemas.core_api.get_by_id(type_id)
    groups = {p.name: p.group_name for p in schema.properties}
    assert groups["feedback_key"] == "reason_feedback_information"
    assert schema.required_properties == ["feedback_key", "period"]
    plain = hs.client.crm.schemas.core_api.create(
        _egg(
            name="notes_only",
            primary_display_property="text",
            required_properties=[],
            searchable_properties=[],
            properties=[SchemaProperty(name="text", label="Text")],
        )
    )
    (text,) = [p for p in plain.properties if p.name == "text"]
    assert (text.type, text.field_type) == ("string", "text")


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"name": "2fast"}, "letters, numbers and underscores, starting with a letter"),
        ({"name": "reason-feedback"}, "letters, numbers and underscores"),
        ({"required_properties": ["missing"]}, "requiredProperties ['missing']"),
        ({"primary_display_property": "missing"}, "primaryDisplayProperty 'missing'"),
        ({"labels": ObjectTypeDefinitionLabels(singular="One")}, "singular and plural"),
    ],
)
def test_given_a_bad_schema_then_400_and_nothing_created(
    changes: dict[str, Any], fragment: str
) -> None:
    with running() as hs:
        with pytest.raises(SchemasApiException) as caught:
            hs.client.crm.schemas.core_api.create(_egg(**changes))
        assert caught.value.status == 400
        assert fragment in error_body(caught.value)["message"]
        assert hs.emulator.schemas.stores == {}


def test_given_required_properties_when_a_record_lacks_one_then_400(
    portal: tuple[Running, str],
) -> None:
    hs, type_id = portal
    with pytest.raises(ObjectsApiException) as caught:
        hs.client.crm.objects.basic_api.create(
            type_id, SimplePublicObjectInputForCreate(properties={"feedback_key": "k"})
        )
    problems = error_body(caught.value)["errors"]
    assert [(p["context"]["propertyName"], p["code"]) for p in problems] == [
        (["period"], "REQUIRED_PROPERTY")
    ]


def test_given_an_upsert_by_the_unique_key_then_created_once_then_updated(
    portal: tuple[Running, str],
) -> None:
    hs, type_id = portal
    batch = hs.client.crm.objects.batch_api
    rows = {"period": "2026-11-02", "count": "3"}
    first, status = raw(batch.upsert_with_http_info, type_id, _upsert(("2026-W45|web", rows)))
    again, _ = raw(batch.upsert_with_http_info, type_id, _upsert(("2026-W45|web", {"count": "4"})))
    assert status == 200
    assert [r["new"] for r in first["results"]] == [True]
    assert [(r["new"], r["properties"]["count"]) for r in again["results"]] == [(False, "4")]
    assert first["results"][0]["id"] == again["results"][0]["id"]


def test_given_an_upsert_creating_without_a_required_property_then_the_batch_fails(
    portal: tuple[Running, str],
) -> None:
    hs, type_id = portal
    with pytest.raises(ObjectsApiException) as caught:
        hs.client.crm.objects.batch_api.upsert(
            type_id,
            _upsert(("k1", {"period": "2026-11-02"}), ("k2", {"count": "1"})),
        )
    assert "REQUIRED_PROPERTY" in error_body(caught.value)["message"]
    store = hs.emulator.schemas.resolve(type_id)
    assert store is not None and list(store.live()) == []


def test_given_an_upsert_by_a_property_that_is_not_unique_then_400(
    portal: tuple[Running, str],
) -> None:
    hs, type_id = portal
    with pytest.raises(ObjectsApiException) as caught:
        hs.client.crm.objects.batch_api.upsert(
            type_id, _upsert(("3", {"period": "2026-11-02"}), id_property="count")
        )
    assert error_body(caught.value)["message"] == (
        f"Unable to perform update/upsert by non-unique {type_id} property count "
        "in portal ID 4242424"
    )


def _property(name: str, kind: str, field_type: str, **more: Any) -> PropertyCreate:
    return PropertyCreate(
        name=name,
        label=name.title(),
        type=kind,
        field_type=field_type,
        group_name="feedback",
        **more,
    )


@pytest.fixture
def contact_group() -> Iterator[Running]:
    with running() as hs:
        hs.client.crm.properties.groups_api.create(
            "contacts", PropertyGroupCreate(name="feedback", label="Feedback", display_order=-1)
        )
        yield hs


@pytest.mark.parametrize(
    "create",
    [
        _property("sales_status", "string", "text"),
        _property(
            "sales_reason",
            "enumeration",
            "select",
            options=[
                OptionInput(label="No budget", value="no_budget", display_order=0, hidden=False)
            ],
        ),
        _property("disqualified_on", "date", "date"),
        _property("disqualified_at", "datetime", "date"),
        _property("disqualified", "bool", "booleancheckbox"),
    ],
)
def test_given_typed_contact_properties_when_created_then_201_and_listed(
    contact_group: Running, create: PropertyCreate
) -> None:
    api = contact_group.client.crm.properties.core_api
    _, status, _ = api.create_with_http_info("contacts", create)
    assert status == 201
    made = api.get_by_name("contacts", create.name)
    assert (made.type, made.field_type, made.group_name) == (
        create.type,
        create.field_type,
        "feedback",
    )


@pytest.mark.parametrize(
    ("create", "fragment"),
    [
        (_property("x_flag", "bool", "text"), "fieldType 'text' is not valid for type 'bool'"),
        (_property("x_day", "date", "number"), "fieldType 'number' is not valid for type 'date'"),
        (
            PropertyCreate(
                name="x", label="X", type="string", field_type="text", group_name="no_such_group"
            ),
            "property group 'no_such_group' does not exist",
        ),
    ],
)
def test_given_a_bad_property_definition_then_400(
    contact_group: Running, create: PropertyCreate, fragment: str
) -> None:
    with pytest.raises(PropertiesApiException) as caught:
        contact_group.client.crm.properties.core_api.create("contacts", create)
    assert caught.value.status == 400
    assert fragment in error_body(caught.value)["message"]


def test_given_a_property_that_exists_with_another_type_then_409_conflict(
    contact_group: Running,
) -> None:
    api = contact_group.client.crm.properties.core_api
    with pytest.raises(PropertiesApiException) as caught:
        api.create("contacts", _property("wants_call", "string", "text"))
    assert caught.value.status == 409
    assert error_body(caught.value)["category"] == "CONFLICT"
    assert api.get_by_name("contacts", "wants_call").type == "bool"


def test_given_ten_unique_properties_then_an_eleventh_is_refused(contact_group: Running) -> None:
    api = contact_group.client.crm.properties.core_api
    for n in range(10):
        api.create("contacts", _property(f"key_{n}", "string", "text", has_unique_value=True))
    with pytest.raises(PropertiesApiException) as caught:
        api.create("contacts", _property("key_10", "string", "text", has_unique_value=True))
    assert "at most 10 unique properties" in error_body(caught.value)["message"]


@pytest.mark.parametrize(
    ("value", "stored"), [("1762041600000", "2025-11-02"), ("2025-11-02", "2025-11-02")]
)
def test_given_a_date_property_then_midnight_millis_or_an_iso_date_are_stored(
    contact_group: Running, value: str, stored: str
) -> None:
    hs = contact_group
    hs.client.crm.properties.core_api.create("contacts", _property("day", "date", "date"))
    (contact,) = hs.emulator.add_contacts(1)
    update = {"inputs": [{"id": contact, "properties": {"day": value}}]}
    answer, _ = raw(hs.client.crm.contacts.batch_api.update_with_http_info, update)
    assert answer["results"][0]["properties"]["day"] == stored


def test_given_a_date_property_when_millis_are_not_midnight_utc_then_400(
    contact_group: Running,
) -> None:
    hs = contact_group
    hs.client.crm.properties.core_api.create("contacts", _property("day", "date", "date"))
    (contact,) = hs.emulator.add_contacts(1)
    update = {"inputs": [{"id": contact, "properties": {"day": "1762045200000"}}]}
    with pytest.raises(ContactsApiException) as caught:
        hs.client.crm.contacts.batch_api.update(update)
    assert error_body(caught.value)["errors"][0]["code"] == "INVALID_DATE"


def test_given_the_midnight_quirk_off_then_a_date_takes_any_millis() -> None:
    with running(quirks_off={"date_midnight"}) as hs:
        api = hs.client.crm.properties.core_api
        day = PropertyCreate(
            name="day", label="Day", type="date", field_type="date", group_name="leadloop"
        )
        api.create("contacts", day)
        (contact,) = hs.emulator.add_contacts(1)
        update = {"inputs": [{"id": contact, "properties": {"day": "1762045200000"}}]}
        answer, _ = raw(hs.client.crm.contacts.batch_api.update_with_http_info, update)
        assert answer["results"][0]["properties"]["day"] == "2025-11-02"
