"""The shared connector contract, run against HubSpotConnector over the HubSpot emulator."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

import pytest

from connectors.base import Connector
from connectors.hubspot.streams import parse_stamp
from tests.connectors.contract import ConnectorContract, OddAnswerContract, storm_plan
from tests.connectors.hubspot.support import END, Sandbox, sandbox

WRITES = ("batch_update", "contacts_update", "batch_upsert", "batch_create", "contacts_create")


class HubSpotHarness:
    """The contract's harness interface (tests/connectors/contract.py) for HubSpot."""

    end = END
    page_size = 200  # search answers up to 200 results
    status_field = "hs_lead_status"
    detail_field = "reason_detail"
    reason_field = "nurture_reason"
    modstamp_field = "lastmodifieddate"
    valid_reason = "bad_timing"
    other_reason = "unresponsive"
    invalid_reason = "low_interest_score"  # left out of the options on purpose

    def __init__(self, box: Sandbox) -> None:
        self.box = box
        self.emulator = box.emulator

    def connector(self, **options: Any) -> Connector:
        return self.box.connector(**options)

    def seeded_ids(self) -> list[str]:
        return [str(i) for i in self.emulator.contacts.records]

    def deleted_ids(self) -> list[str]:
        return [str(r.id) for r in self.emulator.contacts.records.values() if r.archived]

    def raw(self, record_id: str) -> Mapping[str, Any]:
        return dict(self.emulator.contact(record_id)["properties"])

    def modstamp(self, record_id: str) -> datetime:
        stamp = parse_stamp(self.raw(record_id)["lastmodifieddate"])
        assert stamp is not None
        return stamp

    def human_edit(self, record_id: str, fields: Mapping[str, Any]) -> None:
        self.box.clock.advance(seconds=1)
        self.emulator.human_edit(record_id, dict(fields))

    def edit_within_stamp(self, record_id: str, fields: Mapping[str, Any]) -> None:
        now = self.box.clock.now
        self.box.clock.now = self.modstamp(record_id)
        try:  # a save in the very millisecond of the evaluated version (an import, a burst)
            self.emulator.human_edit(record_id, dict(fields))
        finally:
            self.box.clock.now = now

    def touch(self, record_ids: Sequence[str]) -> datetime:
        moment = self.box.clock.advance(seconds=1)
        for record_id in record_ids:
            self.emulator.human_edit(record_id, {"reason_detail": "touched"})
        # HubSpot's search shows a write a few seconds later (the emulator's index lag)
        self.box.clock.advance(seconds=3)
        return moment

    def settle(self) -> None:
        self.box.clock.advance(seconds=4)  # past the emulator's 3 s search index lag

    def before_write(self, callback: Callable[[], None]) -> None:
        # The writer's first request of a batch is its conflict-check batch read.
        self.emulator.before_next("batch_read", callback)

    def fault(self, kind: str, times: int = 1) -> None:
        self.emulator.faults.script("*", kind, times)

    def write_fault(self, kind: str) -> None:
        self.emulator.faults.script("batch_update", kind)

    def storm(self, rate: float) -> None:
        self.emulator.faults.load(storm_plan(rate))

    def during_next_wait(self, callback: Callable[[], object]) -> None:
        self.box.sleeps.meanwhile.append(callback)

    def requests(self) -> int:
        return self.box.calls()

    def write_requests(self) -> int:
        return sum(self.emulator.calls[op] for op in WRITES)


class TestHubSpotContract(ConnectorContract, OddAnswerContract):
    @pytest.fixture
    def harness(self) -> Iterator[HubSpotHarness]:
        with sandbox(contacts=300) as box:
            yield HubSpotHarness(box)
