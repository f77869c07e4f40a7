"""The connector contract's harness (``tests/connectors/contract.py``) over the fake CRM."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from tests.builders import NOW, FrozenClock
from tests.fakes.connector import FakeConnector
from tests.fakes.crm import FakeCrm
from tests.fakes.records import reason_options, seed


class FakeHarness:
    """A seeded fake CRM on a frozen clock; see the contract module for the interface."""

    page_size = 50
    status_field = "Status"
    reason_field = "Nurture_Reason__c"
    modstamp_field = "SystemModstamp"
    valid_reason = "Bad Timing"
    other_reason = "Unresponsive"
    invalid_reason = "Not A Real Reason"

    def __init__(self, records: int = 300) -> None:
        self.clock = FrozenClock(NOW)
        self.crm = FakeCrm(self.clock, reason_options())
        seed(self.crm, records, before=NOW)

    @property
    def end(self) -> datetime:
        return self.clock.now + timedelta(days=1)

    def connector(self) -> FakeConnector:
        return FakeConnector(self.crm, page_size=self.page_size)

    def seeded_ids(self) -> list[str]:
        return list(self.crm.records)

    def deleted_ids(self) -> list[str]:
        return [r.record_id for r in self.crm.records.values() if r.deleted]

    def raw(self, record_id: str) -> Mapping[str, Any]:
        return self.crm.raw(record_id)

    def modstamp(self, record_id: str) -> datetime:
        return self.crm.records[record_id].modstamp

    def human_edit(self, record_id: str, fields: Mapping[str, Any]) -> None:
        self.clock.advance(seconds=1)
        self.crm.human_edit(record_id, fields)

    def touch(self, record_ids: Sequence[str]) -> datetime:
        moment = self.clock.advance(seconds=1)
        for record_id in record_ids:
            self.crm.human_edit(record_id, {"Reason_Detail__c": "touched"})
        return moment

    def before_write(self, callback: Callable[[], None]) -> None:
        # the writer's first request of a batch is its conflict-check re-read
        self.crm.before_next("reread", callback)

    def fault(self, kind: str, times: int = 1) -> None:
        self.crm.fail("query", kind, times)

    def requests(self) -> int:
        return sum(self.crm.requests.values())

    def write_requests(self) -> int:
        return self.crm.requests["update"]
