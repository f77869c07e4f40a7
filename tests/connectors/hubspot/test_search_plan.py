"""SearchPlan: which searches are sent and which records are released (pure, no I/O).

``FakeIndex`` answers a search body the way HubSpot does (AND-ed filters, one sort, ties in
an arbitrary order, ``after`` offsets, 400 past the 10,000th result), so the plan's guarantees
can be checked over many shapes of data quickly. ``stable_ties=False`` reshuffles ties on every
request (HubSpot documents no tie order at all): only keyset paging survives that.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Sequence
from typing import Any

import pytest

from connectors.hubspot.search import RESULT_CAP, Hit, Key, SearchPlan

PROPS = ["lastmodifieddate", "hs_object_id"]


class CapExceeded(Exception):
    """HubSpot's 400 for paging past the 10,000th result."""


class FakeIndex:
    def __init__(
        self, keys: Sequence[tuple[int, int]], seed: int = 0, stable_ties: bool = True
    ) -> None:
        self.keys = sorted(Key(ts, i) for ts, i in keys)
        self.stamps = [k.ts for k in self.keys]
        self.rng = random.Random(seed)
        self.stable_ties = stable_ties
        self.bodies: list[dict[str, Any]] = []

    def search(self, body: dict[str, Any]) -> tuple[list[Hit], str | None]:
        self.bodies.append(body)
        filters = body["filterGroups"][0]["filters"] if body["filterGroups"] else []
        after, limit = int(body.get("after", "0")), body["limit"]
        if after + limit > RESULT_CAP:
            raise CapExceeded(after)
        found = self._first_matches(filters, after + limit + 1)
        more = len(found) > after + limit
        if body["sorts"][0]["propertyName"] == "lastmodifieddate":
            salt = 0 if self.stable_ties else self.rng.randrange(1_000)
            found.sort(key=lambda k: (k.ts, (k.id * 7_919 + salt) % 10_007))
        page = found[after : after + limit]
        return [Hit(k, None) for k in page], str(after + limit) if more else None

    def _first_matches(self, filters: list[dict[str, str]], wanted: int) -> list[Key]:
        """Matches in (ts, id) order: at least ``wanted``, and the whole last stamp group."""
        low = [
            int(x["value"])
            for x in filters
            if x["propertyName"] == "lastmodifieddate" and x["operator"] in ("GTE", "GT", "EQ")
        ]
        floor = [int(x["value"]) + 1 for x in filters if x["propertyName"] == "hs_object_id"]
        start = (
            bisect.bisect_left(self.keys, Key(max(low), max(floor)))
            if low and floor
            else bisect.bisect_left(self.stamps, max(low))
            if low
            else 0
        )
        found: list[Key] = []
        for key in self.keys[start:]:
            if len(found) >= wanted and key.ts != found[-1].ts:
                break
            if all(_matches(key, f) for f in filters):
                found.append(key)
        return found


def _matches(key: Key, f: dict[str, str]) -> bool:
    value = key.ts if f["propertyName"] == "lastmodifieddate" else key.id
    bound = int(f["value"])
    return {"GTE": value >= bound, "GT": value > bound, "LT": value < bound, "EQ": value == bound}[
        f["operator"]
    ]


def run(index: FakeIndex, plan: SearchPlan) -> list[Key]:
    released: list[Key] = []
    while (query := plan.next_query()) is not None:
        hits, next_after = index.search(query.body(PROPS, plan.limit))
        released += [h.key for h in plan.feed(hits, next_after)]
    return released


def distinct(n: int) -> list[tuple[int, int]]:
    return [(1_000 + i, 5_000 + i) for i in range(n)]


def f(name: str, op: str, value: int) -> dict[str, str]:
    return {"propertyName": name, "operator": op, "value": str(value)}


SHAPES = {
    "distinct stamps": distinct(25_000),
    "7 per stamp": [(1_000 + i // 7, 5_000 + i) for i in range(25_000)],
    "12,000 share one stamp": [
        (1_000 + (3_000 < i < 15_000) * (1 + i // 15_000), 5_000 + i) for i in range(25_000)
    ],
    "random stamps, ids descending": [
        (random.Random(i).randint(0, 300), 90_000 - i) for i in range(25_000)
    ],
}


@pytest.mark.parametrize("max_offset", [0, RESULT_CAP])
@pytest.mark.parametrize("shape", list(SHAPES))
def test_given_25000_records_in_one_window_when_searching_then_each_released_once_in_order(
    shape: str, max_offset: int
) -> None:
    index = FakeIndex(SHAPES[shape], stable_ties=max_offset > 0)
    released = run(index, SearchPlan(None, None, max_offset=max_offset))
    assert released == sorted(set(index.keys))
    # Overlap (held-back records read again) stays small next to the 125 pages of 200.
    assert len(index.bodies) <= 125 * 2


def test_given_a_window_when_searching_then_the_first_body_is_exact() -> None:
    index = FakeIndex(distinct(10))
    run(index, SearchPlan(1_002, 1_008))
    assert index.bodies[0] == {
        "filterGroups": [
            {"filters": [f("lastmodifieddate", "GTE", 1_002), f("lastmodifieddate", "LT", 1_008)]}
        ],
        "sorts": [{"propertyName": "lastmodifieddate", "direction": "ASCENDING"}],
        "properties": PROPS,
        "limit": 200,
    }
    assert len(index.bodies) == 1


def test_given_keyset_paging_when_a_page_is_full_then_next_query_restarts_at_its_last_stamp() -> (
    None
):
    index = FakeIndex(distinct(450))
    released = run(index, SearchPlan(None, None))
    assert [b.get("after") for b in index.bodies] == [None, None, None]
    assert [b["filterGroups"][0]["filters"] for b in index.bodies[1:]] == [
        [f("lastmodifieddate", "GTE", 1_199)],
        [f("lastmodifieddate", "GTE", 1_398)],
    ]
    assert len(released) == 450


def test_given_offset_paging_when_the_next_page_would_pass_10000_then_restart_from_last_stamp() -> (
    None
):
    index = FakeIndex(distinct(10_500))
    run(index, SearchPlan(None, 20_000, max_offset=RESULT_CAP))
    afters = [b.get("after") for b in index.bodies]
    assert afters[:3] == [None, "200", "400"] and afters[49] == "9800"
    assert index.bodies[50]["filterGroups"][0]["filters"] == [
        f("lastmodifieddate", "GTE", 1_000 + 9_999),
        f("lastmodifieddate", "LT", 20_000),
    ]
    assert afters[50] is None and len(index.bodies) == 53


def test_given_more_than_a_page_sharing_one_stamp_then_that_stamp_is_paged_by_id() -> None:
    index = FakeIndex([(1_000, 5_000 + i) for i in range(450)] + [(1_001, 9_000)])
    released = run(index, SearchPlan(None, None))
    assert released == sorted(index.keys)
    tie_bodies = [b for b in index.bodies if b["sorts"][0]["propertyName"] == "hs_object_id"]
    assert tie_bodies[0]["filterGroups"][0]["filters"] == [f("lastmodifieddate", "EQ", 1_000)]
    assert tie_bodies[1]["filterGroups"][0]["filters"] == [
        f("lastmodifieddate", "EQ", 1_000),
        f("hs_object_id", "GT", 5_199),
    ]
    assert index.bodies[-1]["filterGroups"][0]["filters"] == [f("lastmodifieddate", "GT", 1_000)]


def test_given_a_resume_key_inside_a_tied_stamp_then_only_later_ids_are_released() -> None:
    keys = [(1_000 + i // 3, 5_000 + i) for i in range(3_000)]
    index = FakeIndex(keys)
    released = run(index, SearchPlan(None, None, Key(1_500, 6_501)))
    assert released == [Key(*k) for k in keys if Key(*k) > Key(1_500, 6_501)]


def test_given_a_window_when_searching_then_only_stamps_inside_it_are_released() -> None:
    keys = [(1_000 + i // 3, 5_000 + i) for i in range(3_000)]
    released = run(FakeIndex(keys), SearchPlan(1_100, 1_200))
    assert released == [Key(*k) for k in keys if 1_100 <= k[0] < 1_200]


@pytest.mark.parametrize(("limit", "max_offset"), [(0, 0), (201, 0), (200, 10_001)])
def test_given_out_of_range_settings_then_refused(limit: int, max_offset: int) -> None:
    with pytest.raises(ValueError):
        SearchPlan(None, None, limit=limit, max_offset=max_offset)
