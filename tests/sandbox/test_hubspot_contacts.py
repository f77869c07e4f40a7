"""Contacts basic API of the HubSpot emulator, driven by the real hubspot-api-client."""

from __future__ import annotations

import json

import pytest
import urllib3
from hubspot import Client
from hubspot.crm.contacts import (
    ApiException,
    SimplePublicObjectInput,
    SimplePublicObjectInputForCreate,
)
from hubspot.crm.contacts.exceptions import NotFoundException, UnauthorizedException

from connectors.sandbox.hubspot.errors import MISSING_TOKEN_MESSAGE
from tests.sandbox.hubspot_support import create_contacts, error_body, running

NEW = SimplePublicObjectInputForCreate


def test_given_seeded_contacts_when_paging_the_list_then_every_contact_comes_once() -> None:
    with running(contacts=25) as hs:
        seen, after, pages = [], None, 0
        while True:
            page = hs.client.crm.contacts.basic_api.get_page(
                limit=10, after=after, properties=["hs_lead_status", "nurture_reason"]
            )
            pages += 1
            seen += [c.id for c in page.results]
            if page.paging is None:
                break
            after = page.paging.next.after
        live = sorted(str(r.id) for r in hs.emulator.contacts.live())
        assert sorted(seen) == live
        assert pages == 3
        assert set(page.results[0].properties) == {
            "hs_lead_status",
            "nurture_reason",
            "hs_object_id",
            "createdate",
            "lastmodifieddate",
        }


def test_given_a_contact_when_reading_by_id_and_by_email_then_both_find_it() -> None:
    with running(contacts=5) as hs:
        first = next(hs.emulator.contacts.live())
        email = first.properties["email"]
        by_id = hs.client.crm.contacts.basic_api.get_by_id(str(first.id), properties=["email"])
        by_email = hs.client.crm.contacts.basic_api.get_by_id(
            email.strip().upper(), properties=["email"], id_property="email"
        )
        assert by_id.id == by_email.id == str(first.id)
        assert by_id.properties["email"] == email


def test_given_the_create_200_quirk_off_when_creating_then_201_and_the_sdk_returns_it() -> None:
    with running(quirks_off={"create_200"}) as hs:
        created = hs.client.crm.contacts.basic_api.create(
            NEW(properties={"email": "ada@example.com", "hs_lead_status": "NEW"})
        )
        assert created.properties["email"] == "ada@example.com"
        assert created.properties["lastmodifieddate"] == "2026-11-02T09:00:00.000Z"
        assert created.properties["hs_object_id"] == created.id


def test_given_a_create_then_200_so_create_is_none_but_the_raw_answer_has_the_contact() -> None:
    with running() as hs:
        api = hs.client.crm.contacts.basic_api
        assert api.create(NEW(properties={"email": "a@example.com"})) is None
        data, status, _ = api.create_with_http_info(NEW(properties={"email": "b@example.com"}))
        assert (data, status) == (None, 200)  # the status is not in the SDK's response map
        raw = api.create_with_http_info(
            NEW(properties={"email": "c@example.com"}), _preload_content=False
        )
        assert raw.status == 200
        assert json.loads(raw.data)["properties"]["email"] == "c@example.com"


def test_given_a_contact_when_updated_then_values_are_strings_and_lastmodifieddate_moves() -> None:
    with running() as hs:
        api = hs.client.crm.contacts.basic_api
        (created,) = create_contacts(hs, {"email": "c@example.com", "phone": "+1 555"})
        hs.clock.advance(minutes=5)
        updated = api.update(
            created,
            SimplePublicObjectInput(
                properties={"hubspotscore": 42, "phone": "", "hs_lead_status": "BAD_TIMING"}
            ),
        )
        assert updated.properties["hubspotscore"] == "42"
        assert updated.properties["phone"] == ""
        assert updated.properties["lastmodifieddate"] == "2026-11-02T09:05:00.000Z"
        assert updated.properties["hs_lastmodifieddate"] == "2026-11-02T09:05:00.000Z"


@pytest.mark.parametrize(
    ("properties", "code"),
    [
        ({"hs_lead_status": "Bad Timing"}, "INVALID_OPTION"),
        ({"hs_object_id": "7"}, "READ_ONLY_VALUE"),
        ({"no_such_property": "x"}, "PROPERTY_DOESNT_EXIST"),
        ({"wants_call": "maybe"}, "INVALID_BOOL"),
    ],
)
def test_given_a_bad_value_when_updating_then_400_validation_error_names_the_property(
    properties: dict[str, str], code: str
) -> None:
    with running(contacts=3) as hs:
        contact_id = str(next(hs.emulator.contacts.live()).id)
        with pytest.raises(ApiException) as caught:
            hs.client.crm.contacts.basic_api.update(
                contact_id, SimplePublicObjectInput(properties=properties)
            )
        body = error_body(caught.value)
        assert caught.value.status == 400
        assert body["category"] == "VALIDATION_ERROR"
        assert body["message"].startswith("Property values were not valid: ")
        assert body["errors"][0]["code"] == code
        assert body["errors"][0]["context"] == {"propertyName": [next(iter(properties))]}


def test_given_an_invalid_option_then_the_message_lists_the_allowed_options() -> None:
    with running(contacts=3) as hs:
        contact_id = str(next(hs.emulator.contacts.live()).id)
        with pytest.raises(ApiException) as caught:
            hs.client.crm.contacts.basic_api.update(
                contact_id, SimplePublicObjectInput(properties={"hs_lead_status": "DEAD"})
            )
        assert (
            "DEAD was not one of the allowed options: [NEW, OPEN, IN_PROGRESS, OPEN_DEAL, "
            "UNQUALIFIED, ATTEMPTED_TO_CONTACT, CONNECTED, BAD_TIMING]"
            in error_body(caught.value)["errors"][0]["message"]
        )


def test_given_an_existing_email_when_creating_again_then_409_conflict_names_the_id() -> None:
    with running() as hs:
        api = hs.client.crm.contacts.basic_api
        (first,) = create_contacts(hs, {"email": "dup@example.com"})
        with pytest.raises(ApiException) as caught:
            api.create(NEW(properties={"email": "DUP@example.com"}))
        assert caught.value.status == 409
        assert error_body(caught.value)["message"] == (
            f"Contact already exists. Existing ID: {first}"
        )
        assert error_body(caught.value)["category"] == "CONFLICT"


def test_given_an_archived_contact_then_get_is_404_and_the_archived_list_shows_it() -> None:
    with running() as hs:
        api = hs.client.crm.contacts.basic_api
        (created,) = create_contacts(hs, {"email": "gone@example.com"})
        api.archive(created)
        with pytest.raises(NotFoundException):
            api.get_by_id(created)
        archived = api.get_page(archived=True)
        assert [c.id for c in archived.results] == [created]
        assert archived.results[0].archived is True
        assert api.get_page().results == []


def test_given_no_token_then_401_with_hubspots_body() -> None:
    with running() as hs:
        answer = urllib3.PoolManager().request("GET", hs.url + "/crm/v3/objects/contacts")
        assert answer.status == 401
        assert answer.json()["category"] == "INVALID_AUTHENTICATION"
        assert answer.json()["message"] == MISSING_TOKEN_MESSAGE
        assert answer.headers["X-HubSpot-Correlation-Id"] == answer.json()["correlationId"]


def test_given_a_wrong_token_then_the_sdk_raises_unauthorized() -> None:
    with running(access_token="pat-right") as hs:
        wrong = Client.create(access_token="pat-wrong", host=hs.url)
        with pytest.raises(UnauthorizedException) as caught:
            wrong.crm.contacts.basic_api.get_page()
        assert error_body(caught.value)["category"] == "INVALID_AUTHENTICATION"


def test_given_any_answer_then_it_carries_a_correlation_id() -> None:
    with running() as hs:
        _, status, headers = hs.client.crm.contacts.basic_api.get_page_with_http_info()
        assert status == 200
        assert len(headers["X-HubSpot-Correlation-Id"]) == 36


def test_given_a_body_that_is_not_json_then_400_validation_error() -> None:
    with running() as hs:
        answer = urllib3.PoolManager().request(
            "POST",
            hs.url + "/crm/v3/objects/contacts",
            body=b"{not json",
            headers={"Authorization": f"Bearer {hs.emulator.access_token}"},
        )
        assert answer.status == 400
        assert answer.json()["message"].startswith("Invalid input JSON on line 1, column 2")


def test_given_an_unknown_path_then_404_object_not_found() -> None:
    with running() as hs:
        answer = urllib3.PoolManager().request(
            "GET",
            hs.url + "/crm/v4/nothing",
            headers={"Authorization": f"Bearer {hs.emulator.access_token}"},
        )
        assert (answer.status, answer.json()["category"]) == (404, "OBJECT_NOT_FOUND")


def test_given_an_unknown_requested_property_then_it_is_left_out_of_the_answer() -> None:
    with running(contacts=2) as hs:
        page = hs.client.crm.contacts.basic_api.get_page(properties=["email", "nope"])
        assert "nope" not in page.results[0].properties
        assert "email" in page.results[0].properties
