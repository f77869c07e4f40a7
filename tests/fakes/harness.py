"""The connector contract's harness (``tests/connectors/contract.py``) over the fake CRM."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from tests.builders import NOW, FrozenClock
from tests.connectors.contract import STORM_KINDS
from tests.fakes.connector import FakeConnector
from tests.fakes.crm import FakeCrm
from tests.fakes.records import reason_options, seed


class FakeHarness:
    """A seeded fake CRM on a frozen clock; see the contract module for the interface."""

    page_size = 50
    status_field = "Status"
    reason_field = "Nurture_Reason__c"
    detail_field = "Reason_Detail__c"
    modstamp_field = "SystemModstamp"
    valid_reason = "Bad Timing"
    other_reason = "Unresponsive"
    invalid_reason = "Not A Real Reason"

    def __init__(self, records: int = 300) -> None:
        self.clock = FrozenClock(NOW)
        self.crm = FakeCrm(self.clock, reason_options())
        seed(self.crm, records, before=NOW)
        self._meanwhile: list[Callable[[], object]] = []

    @property
    def end(self) -> datetime:
        return self.clock.now + timedelta(days=1)

    def connector(self, **options: Any) -> FakeConnector:
        options.setdefault("page_size", self.page_size)
        return FakeConnector(self.crm, sleep=self._wait, **options)

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

    def edit_within_stamp(self, record_id: str, fields: Mapping[str, Any]) -> None:
        self.crm.edit_within_stamp(record_id, fields)

    def settle(self) -> None:
        """The fake CRM is consistent at once: nothing to wait for."""

    def before_write(self, callback: Callable[[], None]) -> None:
        # the writer's first request of a batch is its conflict-check re-read
        self.crm.before_next("reread", callback)

    def fault(self, kind: str, times: int = 1) -> None:
        self.crm.fail("query", kind, times)

    def write_fault(self, kind: str) -> None:
        self.crm.fail("update", kind)

    def storm(self, rate: float) -> None:
        self.crm.storm(rate, STORM_KINDS)

    def during_next_wait(self, callback: Callable[[], object]) -> None:
        self._meanwhile.append(callback)

    def requests(self) -> int:
        return sum(self.crm.requests.values())

    def write_requests(self) -> int:
        return self.crm.requests["update"]

    def _wait(self, _seconds: float) -> None:
        """A connector's retry wait (recorded by the connector, never slept): what a test
        wanted to happen meanwhile happens now."""
        due, self._meanwhile = self._meanwhile, []
        for callback in due:
            callback()
