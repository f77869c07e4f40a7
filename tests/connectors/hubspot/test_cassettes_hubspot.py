"""Recorded HubSpot exchanges replayed with the network off (vcrpy, record_mode="none").

Each test drives the real connector through one operation and asserts on what it sent (search,
batch and property bodies) and how it read the recorded answers (search paging, 207 batch
results, property options, a 429 body). Record again from the emulator with
``LEADLOOP_RECORD=1 pytest tests/connectors/hubspot -k cassette`` (docs/recording-cassettes.md).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from vcr.cassette import Cassette

from connectors.base import Correction, OutcomeStatus
from connectors.http import RetryPolicy
from connectors.hubspot import HubSpotConnection, HubSpotConnector
from tests.connectors.contract import records_of
from tests.connectors.hubspot.cassettes import CASSETTES, PLACEHOLDER, recording, use_cassette
from tests.connectors.hubspot.support import (
    EVERYTHING,
    PROPERTIES,
    START,
    TOKEN,
    FrozenClock,
    Sandbox,
    Sleeps,
    sandbox,
)

#: the conflict check compares against this evaluation stamp (after every recorded edit)
EVALUATED = START + timedelta(hours=1)


@dataclass
class Target:
    """The emulator while recording; the placeholder URL (no server at all) on replay."""

    base_url: str
    box: Sandbox | None
    sleeps: Sleeps

    @property
    def live_bases(self) -> tuple[str, ...]:
        return (self.base_url,) if self.box is not None else ()

    def connector(self, **options: Any) -> HubSpotConnector:
        conn = HubSpotConnection(
            TOKEN, base_url=self.base_url, create_missing_options=options.pop("create", False)
        )
        return HubSpotConnector(
            conn,
            properties=PROPERTIES,
            sleep=self.sleeps,
            retry=RetryPolicy(attempts=3, jitter=0.0),
            **options,
        )

    def cassette(self, name: str) -> Any:
        return use_cassette(name, self.live_bases, (TOKEN,))


@pytest.fixture
def target() -> Iterator[Target]:
    with ExitStack() as stack:
        if recording():
            box = stack.enter_context(sandbox())
            yield Target(box.url, box, box.sleeps)
        else:
            yield Target(PLACEHOLDER, None, Sleeps(FrozenClock(START)))


def sent(cassette: Cassette, path_end: str) -> list[Any]:
    return [json.loads(r.body) for r in cassette.requests if r.uri.endswith(path_end)]


def answers(cassette: Cassette, path_end: str) -> list[Any]:
    return [
        json.loads(resp["body"]["string"])
        for req, resp in zip(cassette.requests, cassette.responses, strict=True)
        if req.uri.endswith(path_end)
    ]


def test_cassette_search_paging_with_archived_listing(target: Target) -> None:
    if target.box is not None:
        ids = target.box.emulator.add_contacts(450)
        target.box.emulator.archive(ids[10])
    with target.cassette("search_paging.yaml") as cassette:
        records = records_of(target.connector().pull(EVERYTHING))
    bodies, pages = sent(cassette, "/search"), answers(cassette, "/search")
    assert len(bodies) == 3 and [b["limit"] for b in bodies] == [200] * 3
    assert all("after" not in b for b in bodies)  # keyset paging: no offsets
    for body, previous in zip(bodies[1:], pages, strict=False):
        last = previous["results"][-1]["properties"]["lastmodifieddate"]
        lower = body["filterGroups"][0]["filters"][0]
        assert (lower["operator"], lower["propertyName"]) == ("GTE", "lastmodifieddate")
        assert int(lower["value"]) == _ms(last)
    live = {r["id"] for page in pages for r in page["results"]}
    assert sorted(r.record_id for r in records if not r.deleted) == sorted(live)
    assert [r.deleted for r in records].count(True) == 1
    # the SDK renders the Python bool as "True"; HubSpot parses booleans case-insensitively
    assert "archived=true" in cassette.requests[0].uri.lower()


def test_cassette_batch_read_then_update_with_a_207(target: Target) -> None:
    if target.box is not None:
        box = target.box
        _, b, _ = box.emulator.add_contacts(3)
        box.emulator.before_next("batch_update", lambda: box.emulator.archive(b))
    ids = ["1001", "1002", "1003"]  # the emulator's first ids
    corrections = [
        Correction(f"k{i}", rid, {"reason_detail": "checked"}, EVALUATED)
        for i, rid in enumerate(ids)
    ]
    with target.cassette("batch_update_207.yaml") as cassette:
        outcomes = target.connector().write(corrections)
    assert [o.status for o in outcomes] == [
        OutcomeStatus.SENT,
        OutcomeStatus.DEAD,
        OutcomeStatus.SENT,
    ]
    assert "OBJECT_NOT_FOUND" in (outcomes[1].message or "")
    assert sent(cassette, "/batch/update") == [
        {"inputs": [{"id": rid, "properties": {"reason_detail": "checked"}} for rid in ids]}
    ]
    (answer,) = answers(cassette, "/batch/update")
    assert answer["numErrors"] == 1 and answer["errors"][0]["context"]["ids"] == ["1002"]
    assert [r["status"]["code"] for r in cassette.responses] == [200, 200, 207]


def test_cassette_properties_read_and_missing_option_added(target: Target) -> None:
    if target.box is not None:
        target.box.emulator.add_contacts(1)
    correction = Correction("k", "1001", {"nurture_reason": "low_interest_score"}, EVALUATED)
    with target.cassette("properties_options.yaml") as cassette:
        connector = target.connector(create=True)
        connector.check()
        (outcome,) = connector.write([correction])
    assert outcome.status is OutcomeStatus.SENT and outcome.applied
    methods = [(r.method, r.uri.removeprefix(PLACEHOLDER).split("?")[0]) for r in cassette.requests]
    assert methods == [
        ("GET", "/crm/v3/properties/contacts"),
        ("PATCH", "/crm/v3/properties/contacts/nurture_reason"),
        ("POST", "/crm/v3/objects/contacts/batch/read"),
        ("POST", "/crm/v3/objects/contacts/batch/update"),
    ]
    (patch,) = sent(cassette, "/nurture_reason")
    assert patch["options"][-1] == {
        "label": "low_interest_score",
        "value": "low_interest_score",
        "displayOrder": len(patch["options"]) - 1,
        "hidden": False,
    }


def test_cassette_429_ten_secondly_then_retried(target: Target) -> None:
    if target.box is not None:
        target.box.emulator.add_contacts(5)
        target.box.emulator.faults.script("search", "rate_limit_ten_secondly")
    with target.cassette("rate_limit_429.yaml") as cassette:
        records = records_of(target.connector().pull(EVERYTHING))
    first, second = answers(cassette, "/search")
    assert (first["policyName"], first["errorType"]) == ("TEN_SECONDLY_ROLLING", "RATE_LIMIT")
    assert len(second["results"]) == len(records) == 5
    assert target.sleeps.waits == [10.0]


def test_no_cassette_holds_the_token_or_the_loopback_host() -> None:
    files = sorted(CASSETTES.glob("*.yaml"))
    assert len(files) >= 4
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert TOKEN not in text and "Bearer" not in text, path.name
        assert "127.0.0.1" not in text and "authorization" not in text.lower(), path.name


def _ms(value: str) -> int:
    from connectors.hubspot.streams import parse_stamp, to_millis

    stamp = parse_stamp(value)
    assert stamp is not None
    return to_millis(stamp)
