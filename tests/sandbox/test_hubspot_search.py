"""CRM search of the HubSpot emulator: operators, sorts, paging, limits, the 10k cap, lag."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from hubspot.crm.contacts import (
    ApiException,
    BatchReadInputSimplePublicObjectId,
    PublicObjectSearchRequest,
    SimplePublicObjectId,
    SimplePublicObjectInputForCreate,
)

from connectors.sandbox.hubspot.errors import SEARCH_CAP_SUBCATEGORY
from connectors.sandbox.hubspot.values import iso, millis
from tests.sandbox.hubspot_support import START, Running, create_contacts, error_body, running

# Five contacts, created one minute apart from START (ids 1001..1005).
PEOPLE: list[dict[str, str]] = [
    {"email": "ann@acme.io", "firstname": "Ann", "hubspotscore": "10", "hs_lead_status": "NEW"},
    {
        "email": "bob@acme.io",
        "firstname": "Bob",
        "hubspotscore": "55",
        "hs_lead_status": "UNQUALIFIED",
        "unqualified_reason": "wrong_persona",
    },
    {
        "email": "cy@beta.io",
        "firstname": "cy",
        "hubspotscore": "9",
        "hs_lead_status": "BAD_TIMING",
        "nurture_reason": "bad_timing",
    },
    {"email": "dee@beta.io", "firstname": "ANN"},
    {
        "email": "eve@gamma.io",
        "firstname": "Eve",
        "hubspotscore": "100",
        "hs_lead_status": "CONNECTED",
        "wants_call": "true",
    },
]
MINUTE = 60_000
T0 = millis(START)


@pytest.fixture(scope="module")
def hs() -> Iterator[Running]:
    # some fifty searches at one frozen instant: the search rate limit has its own specs
    with running(quirks_off={"rate_limits"}) as hs:
        for properties in PEOPLE:
            hs.client.crm.contacts.basic_api.create(
                SimplePublicObjectInputForCreate(properties=properties)
            )
            hs.clock.advance(minutes=1)
        yield hs


def search(hs: Running, groups: list[Any], **body: Any) -> Any:
    request = PublicObjectSearchRequest(filter_groups=groups, **body)
    return hs.client.crm.contacts.search_api.do_search(public_object_search_request=request)


def f(prop: str, op: str, value: Any = None, **more: Any) -> dict[str, Any]:
    return {"propertyName": prop, "operator": op, "value": value, **more}


OPERATOR_CASES = [
    ("EQ on an enumeration matches its exact value", [[f("hs_lead_status", "EQ", "NEW")]], [1001]),
    ("EQ on an enumeration is case-sensitive", [[f("hs_lead_status", "EQ", "new")]], []),
    ("EQ on a string ignores case", [[f("firstname", "EQ", "ann")]], [1001, 1004]),
    (
        "NEQ includes contacts without a value",
        [[f("hs_lead_status", "NEQ", "NEW")]],
        [1002, 1003, 1004, 1005],
    ),
    ("LT compares numbers numerically", [[f("hubspotscore", "LT", "10")]], [1003]),
    ("LTE", [[f("hubspotscore", "LTE", "10")]], [1001, 1003]),
    ("GT", [[f("hubspotscore", "GT", "55")]], [1005]),
    ("GTE", [[f("hubspotscore", "GTE", "55")]], [1002, 1005]),
    (
        "BETWEEN is inclusive",
        [[f("hubspotscore", "BETWEEN", "9", highValue="55")]],
        [1001, 1002, 1003],
    ),
    ("IN", [[f("hs_lead_status", "IN", values=["NEW", "CONNECTED"])]], [1001, 1005]),
    (
        "IN on a string takes lowercase values",
        [[f("firstname", "IN", values=["ann"])]],
        [1001, 1004],
    ),
    ("IN on a string misses uppercase values", [[f("firstname", "IN", values=["Ann"])]], []),
    (
        "NOT_IN includes contacts without a value",
        [[f("hs_lead_status", "NOT_IN", values=["NEW", "CONNECTED"])]],
        [1002, 1003, 1004],
    ),
    ("HAS_PROPERTY", [[f("hubspotscore", "HAS_PROPERTY")]], [1001, 1002, 1003, 1005]),
    ("NOT_HAS_PROPERTY", [[f("nurture_reason", "NOT_HAS_PROPERTY")]], [1001, 1002, 1004, 1005]),
    ("CONTAINS_TOKEN with a wildcard", [[f("email", "CONTAINS_TOKEN", "*@beta.io")]], [1003, 1004]),
    (
        "datetime GTE with epoch millis",
        [[f("lastmodifieddate", "GTE", str(T0 + 2 * MINUTE))]],
        [1003, 1004, 1005],
    ),
    (
        "datetime GTE with an ISO value",
        [[f("lastmodifieddate", "GTE", iso(START + timedelta(minutes=2)))]],
        [1003, 1004, 1005],
    ),
    (
        "datetime BETWEEN mixing ISO and millis",
        [
            [
                f(
                    "lastmodifieddate",
                    "BETWEEN",
                    iso(START + timedelta(minutes=1)),
                    highValue=str(T0 + 3 * MINUTE),
                )
            ]
        ],
        [1002, 1003, 1004],
    ),
    ("createdate LT", [[f("createdate", "LT", str(T0 + MINUTE))]], [1001]),
    (
        "filters in a group are AND'ed",
        [[f("hubspotscore", "GTE", "9"), f("hubspotscore", "LTE", "10")]],
        [1001, 1003],
    ),
    (
        "groups are OR'ed",
        [[f("firstname", "EQ", "bob")], [f("hubspotscore", "EQ", "100")]],
        [1002, 1005],
    ),
    ("no groups match everything", [], [1001, 1002, 1003, 1004, 1005]),
]


@pytest.mark.parametrize(
    ("case", "groups", "expected"), OPERATOR_CASES, ids=[c[0] for c in OPERATOR_CASES]
)
def test_given_five_contacts_when_searching_then_exactly_the_matching_ids_return(
    hs: Running, case: str, groups: list[list[dict[str, Any]]], expected: list[int]
) -> None:
    answer = search(hs, [{"filters": g} for g in groups], limit=100)
    assert [int(r.id) for r in answer.results] == expected
    assert answer.total == len(expected)


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        (
            {"propertyName": "hubspotscore", "direction": "DESCENDING"},
            [1005, 1002, 1001, 1003, 1004],
        ),
        (
            {"propertyName": "hubspotscore", "direction": "ASCENDING"},
            [1003, 1001, 1002, 1005, 1004],
        ),
        (
            {"propertyName": "lastmodifieddate", "direction": "DESCENDING"},
            [1005, 1004, 1003, 1002, 1001],
        ),
        ({"propertyName": "firstname", "direction": "ASCENDING"}, [1001, 1004, 1002, 1003, 1005]),
    ],
)
def test_given_a_sort_then_results_follow_it_with_missing_values_last(
    hs: Running, sort: dict[str, str], expected: list[int]
) -> None:
    answer = search(hs, [], sorts=[sort], limit=100)
    assert [int(r.id) for r in answer.results] == expected


def test_given_limit_2_when_paging_then_after_walks_and_the_last_page_has_no_paging(
    hs: Running,
) -> None:
    pages: list[list[int]] = []
    after: str | None = "0"
    while after is not None:
        answer = search(hs, [], limit=2, after=after, properties=["email"])
        pages.append([int(r.id) for r in answer.results])
        assert answer.total == 5
        after = answer.paging.next.after if answer.paging else None
    assert pages == [[1001, 1002], [1003, 1004], [1005]]
    assert set(answer.results[0].properties) == {
        "email",
        "hs_object_id",
        "createdate",
        "lastmodifieddate",
    }


@pytest.mark.parametrize(
    ("groups", "body", "fragment"),
    [
        ([[f("email", "HAS_PROPERTY")]] * 6, {}, "Too many filter groups: 6"),
        ([[f("email", "HAS_PROPERTY")] * 7], {}, "Too many filters in a filter group: 7"),
        ([[f("email", "HAS_PROPERTY")] * 5] * 4, {}, "Too many filters: 20"),
        ([], {"query": "x" * 3001}, "the maximum is 3000"),
        ([], {"limit": 201}, "limit must be between 1 and 200"),
        ([[f("no_such_property", "EQ", "x")]], {}, "does not exist"),
        ([[f("email", "LIKE", "x")]], {}, "Unknown operator"),
    ],
)
def test_given_a_request_beyond_hubspots_limits_then_400_validation_error(
    hs: Running, groups: list[Any], body: dict[str, Any], fragment: str
) -> None:
    with pytest.raises(ApiException) as caught:
        search(hs, [{"filters": g} for g in groups], **body)
    assert caught.value.status == 400
    assert error_body(caught.value)["category"] == "VALIDATION_ERROR"
    assert fragment in error_body(caught.value)["message"]


def test_given_filters_exactly_at_the_limits_then_the_search_runs(hs: Running) -> None:
    groups = [{"filters": [f("email", "HAS_PROPERTY")] * 6}] * 3
    assert search(hs, groups, limit=200, query="x" * 3000).total == 0
    assert search(hs, groups, limit=200).total == 5


def test_given_the_filter_limit_quirk_off_then_the_2024_limits_apply() -> None:
    with running(quirks_off={"search_filter_limits"}) as hs:
        groups = [{"filters": [f("email", "HAS_PROPERTY")] * 10}] * 2 + [
            {"filters": [f("email", "HAS_PROPERTY")] * 5}
        ]
        assert search(hs, groups).total == 0
        with pytest.raises(ApiException, match="Too many filters in a filter group: 11"):
            search(hs, [{"filters": [f("email", "HAS_PROPERTY")] * 11}])


def test_given_the_case_rules_quirk_off_then_enumerations_ignore_case() -> None:
    with running(quirks_off={"search_case_rules"}) as hs:
        create_contacts(hs, {"email": "a@x.io", "hs_lead_status": "NEW"})
        hs.clock.advance(seconds=3)
        assert search(hs, [{"filters": [f("hs_lead_status", "EQ", "new")]}]).total == 1


def test_given_10050_matches_when_paging_past_10000_then_400_with_the_cap_subcategory() -> None:
    with running() as big:
        big.emulator.add_contacts(10_050)
        sort = [{"propertyName": "lastmodifieddate", "direction": "ASCENDING"}]
        last_allowed = search(big, [], sorts=sort, limit=200, after="9800")
        assert last_allowed.total == 10_050
        assert last_allowed.paging.next.after == "10000"
        with pytest.raises(ApiException) as caught:
            search(big, [], sorts=sort, limit=200, after="10000")
        assert caught.value.status == 400
        assert error_body(caught.value)["subCategory"] == SEARCH_CAP_SUBCATEGORY


def test_given_index_lag_when_a_contact_was_just_written_then_search_misses_it_reads_see_it() -> (
    None
):
    with running() as hs:
        (created,) = create_contacts(hs, {"email": "late@x.io"})
        assert search(hs, []).total == 0
        assert hs.client.crm.contacts.basic_api.get_by_id(created).id == created
        read = hs.client.crm.contacts.batch_api.read(
            BatchReadInputSimplePublicObjectId(
                inputs=[SimplePublicObjectId(id=created)], properties=["email"]
            )
        )
        assert [r.id for r in read.results] == [created]
        hs.clock.advance(seconds=2, milliseconds=999)
        assert search(hs, []).total == 0
        hs.clock.advance(milliseconds=1)  # the default lag: 3 s
        assert [r.id for r in search(hs, []).results] == [created]


def test_given_a_longer_index_lag_then_search_waits_that_long() -> None:
    with running(search_index_lag=timedelta(seconds=30)) as hs:
        (created,) = create_contacts(hs, {"email": "late@x.io"})
        hs.clock.advance(seconds=29)
        assert search(hs, []).total == 0
        hs.clock.advance(seconds=1)
        assert [r.id for r in search(hs, []).results] == [created]


def test_given_the_index_lag_quirk_off_then_search_sees_a_write_at_once() -> None:
    with running(quirks_off={"search_index_lag"}) as hs:
        (created,) = create_contacts(hs, {"email": "now@x.io"})
        assert [r.id for r in search(hs, []).results] == [created]


def test_given_a_free_text_query_then_contacts_containing_every_word_match(hs: Running) -> None:
    answer = search(hs, [], query="beta.io ANN")
    assert [int(r.id) for r in answer.results] == [1004]
