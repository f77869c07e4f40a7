"""The bisected last-modified index answers searches exactly as the general evaluator does."""

from __future__ import annotations

import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.sandbox.hubspot import HubSpotEmulator
from connectors.sandbox.hubspot.ranges import index_slice
from connectors.sandbox.hubspot.search import SearchEngine, SearchError, parse
from connectors.sandbox.hubspot.store import ObjectStore
from connectors.sandbox.hubspot.values import from_millis, iso

T0 = 1_793_000_000_000  # 2026-10-27, epoch millis
PROPS = ["lastmodifieddate", "hs_lastmodifieddate", "hs_object_id", "createdate", "firstname"]
OPS = ["EQ", "LT", "LTE", "GT", "GTE", "BETWEEN", "NEQ", "HAS_PROPERTY"]


def tie_heavy_store(count: int = 80, seed: int = 7) -> ObjectStore:
    """Contacts on few distinct millis (many ties), some rewritten later, some archived."""
    rng = random.Random(seed)
    store = HubSpotEmulator(contacts=0).contacts
    for index in range(count):
        store.insert(
            {"email": f"p{index}@x.io", "firstname": rng.choice(["ann", "bob"])},
            T0 + rng.randrange(0, 12) * 1000,
        )
    records = list(store.records.values())
    for record in rng.sample(records, 15):
        store.write(record, {"firstname": "cy"}, T0 + rng.randrange(6, 16) * 1000)
    for record in rng.sample(records, 10):
        store.archive(record, T0 + 20_000)
    return store


STORE = tie_heavy_store()
FIRST_ID, LAST_ID = min(STORE.records), max(STORE.records)


def values_for(prop: str) -> st.SearchStrategy[str]:
    """Filter values around the data: exact hits, between hits, other shapes, junk."""
    if prop == "hs_object_id":
        exact = st.integers(FIRST_ID - 2, LAST_ID + 2).map(str)
        return st.one_of(exact, exact.map(lambda v: v + ".5"), st.sampled_from(["x", "nan"]))
    stamps = st.integers(-2, 22).map(lambda s: T0 + s * 1000)
    return st.one_of(
        stamps.map(str),
        stamps.map(lambda ms: iso(from_millis(ms))),
        stamps.map(lambda ms: str(ms + 1)),
        st.sampled_from(["soon", "inf"]),
    )


@st.composite
def filters(draw: st.DrawFn) -> dict[str, Any]:
    prop = draw(st.sampled_from(PROPS))
    op = draw(st.sampled_from(OPS))
    item: dict[str, Any] = {"propertyName": prop, "operator": op, "value": draw(values_for(prop))}
    if op == "BETWEEN":
        item["highValue"] = draw(values_for(prop))
    return item


@st.composite
def plain_filters(draw: st.DrawFn) -> dict[str, Any]:
    """Filters the index can answer: ranges on the last-modified property or the id."""
    prop = draw(st.sampled_from(["lastmodifieddate", "hs_lastmodifieddate", "hs_object_id"]))
    if prop == "hs_object_id":
        values = st.integers(FIRST_ID - 1, LAST_ID + 1).map(str)
    else:
        values = st.integers(-1, 21).map(lambda s: str(T0 + s * 1000))
    op = draw(st.sampled_from(["EQ", "LT", "LTE", "GT", "GTE", "BETWEEN"]))
    return {"propertyName": prop, "operator": op, "value": draw(values), "highValue": draw(values)}


@st.composite
def bodies(draw: st.DrawFn) -> dict[str, Any]:
    """Half of them shaped like the connector's searches (one group, no text), half anything."""
    if draw(st.booleans()):
        groups = [draw(st.lists(plain_filters(), max_size=3))]
        sort, text = draw(st.sampled_from(["lastmodifieddate", "hs_object_id"])), ""
    else:
        groups = draw(st.lists(st.lists(filters(), max_size=3), max_size=2))
        sort, text = draw(st.sampled_from(PROPS[:4])), draw(st.sampled_from(["", "ann"]))
    return {
        "filterGroups": [{"filters": group} for group in groups],
        "sorts": [
            {"propertyName": sort, "direction": draw(st.sampled_from(["ASCENDING", "DESCENDING"]))}
        ],
        "limit": draw(st.integers(1, 12)),
        "after": draw(st.just(0) | st.integers(1, 30)),
        "query": text,
    }


@settings(max_examples=400, deadline=None)
@given(body=bodies(), cutoff=st.sampled_from([None, T0 + 5000, T0 + 11_000, T0 - 1]))
def test_given_random_searches_when_answered_from_the_index_then_identical_to_a_full_scan(
    body: dict[str, Any], cutoff: int | None
) -> None:
    """Given a tie-heavy store with archived and rewritten contacts, when any search runs with
    and without the index, then records, order, total and paging are the same."""
    try:
        request = parse(body, STORE)
    except SearchError:
        return
    indexed = SearchEngine().run(STORE, request, cutoff)
    scanned = SearchEngine(use_index=False).run(STORE, request, cutoff)
    assert indexed == scanned


def connector_bodies(ts: int, last_id: int) -> list[dict[str, Any]]:
    window = {
        "filterGroups": [
            {
                "filters": [
                    {"propertyName": "lastmodifieddate", "operator": "GTE", "value": str(ts)},
                    {
                        "propertyName": "lastmodifieddate",
                        "operator": "LT",
                        "value": str(T0 + 30_000),
                    },
                ]
            }
        ],
        "sorts": [{"propertyName": "lastmodifieddate", "direction": "ASCENDING"}],
        "limit": 7,
    }
    ties = {
        "filterGroups": [
            {
                "filters": [
                    {"propertyName": "lastmodifieddate", "operator": "EQ", "value": str(ts)},
                    {"propertyName": "hs_object_id", "operator": "GT", "value": str(last_id)},
                ]
            }
        ],
        "sorts": [{"propertyName": "hs_object_id", "direction": "ASCENDING"}],
        "limit": 7,
    }
    return [window, ties]


@pytest.mark.parametrize("ts", [T0, T0 + 3000, T0 + 11_000, T0 + 50_000])
def test_given_the_connector_queries_when_searching_then_the_index_answers_them(ts: int) -> None:
    """Given the connector's window and tie queries, when they run, then the index answers
    (no full scan) with the same page and total as the general evaluator."""
    for body in connector_bodies(ts, FIRST_ID + 20):
        request = parse(body, STORE)
        assert index_slice(STORE, request, None) is not None
        assert SearchEngine().run(STORE, request, None) == SearchEngine(use_index=False).run(
            STORE, request, None
        )


def test_given_a_free_text_query_or_two_groups_when_searching_then_no_index_slice() -> None:
    """Given searches the index cannot answer exactly, then they go to the general evaluator."""
    window = connector_bodies(T0, FIRST_ID)[0]
    with_text = parse({**window, "query": "ann"}, STORE)
    two_groups = parse({**window, "filterGroups": window["filterGroups"] * 2}, STORE)
    assert index_slice(STORE, with_text, None) is None
    assert index_slice(STORE, two_groups, None) is None
