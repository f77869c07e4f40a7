"""Builders for Salesforce tests: a frozen clock, a served emulator, connections, connectors.

:class:`SalesforceHarness` is also the Salesforce side of the shared contract suite
(``tests/connectors/contract.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from connectors.http import RetryPolicy
from connectors.salesforce import PasswordAuth, SalesforceConnection, SalesforceConnector
from connectors.salesforce.client import Auth
from connectors.salesforce.streams import parse_datetime
from connectors.sandbox.salesforce import SalesforceEmulator
from connectors.sandbox.server import Request, Response, Server
from tests.builders import FrozenClock
from tests.connectors.contract import storm_plan

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # after every seeded modstamp
USERNAME, PASSWORD, TOKEN = "admin@leadloop.sandbox", "sandbox-password", "sandbox-token"
FIELDS = (
    "Status",
    "Nurture_Reason__c",
    "Unqualified_Reason__c",
    "Reason_Detail__c",
    "Email",
    "Company",
    "LeadSource",
    "Lead_Score__c",
    "Wants_Call__c",
)
FAST_RETRY = RetryPolicy(attempts=4, initial_wait=0.01, max_wait=0.05, jitter=0.0)


@dataclass
class Sleeps:
    """Records the waits the retry policy asked for instead of sleeping; runs what a test
    wants to happen during the next wait (a person editing a record meanwhile)."""

    waits: list[float] = field(default_factory=list)
    meanwhile: list[Callable[[], object]] = field(default_factory=list)

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        due, self.meanwhile = self.meanwhile, []
        for callback in due:
            callback()


class RecordingEmulator(SalesforceEmulator):
    """The emulator, remembering every API request it answered (tests assert on them)."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.requests: list[Request] = []

    def handle(self, request: Request) -> Response:
        self.requests.append(request)
        return super().handle(request)

    def soql(self) -> list[str]:
        """The SOQL of every REST query received, in order."""
        return [r.query["q"][0] for r in self.requests if "q" in r.query]


def connection(url: str, auth: Auth | None = None) -> SalesforceConnection:
    """A connection to an emulator at ``url`` (instance and login both there)."""
    return SalesforceConnection(
        auth or PasswordAuth(USERNAME, PASSWORD, TOKEN), instance_url=url, login_url=url, timeout=10
    )


class SalesforceHarness:
    """A served emulator with a frozen clock; see the contract module for the interface."""

    page_size = 200
    status_field = "Status"
    detail_field = "Reason_Detail__c"
    reason_field = "Nurture_Reason__c"
    modstamp_field = "SystemModstamp"
    valid_reason = "Bad Timing"
    other_reason = "Unresponsive"
    invalid_reason = "Not A Real Reason"

    def __init__(self, leads: int = 300, **options: Any) -> None:
        self.clock = FrozenClock(NOW)
        self.app = RecordingEmulator(leads=leads, seed=42, now=self.clock, **options)
        self.server = Server(self.app).start()
        self.url = self.server.url
        self.sleeps = Sleeps()

    @property
    def end(self) -> datetime:
        return self.clock.now + timedelta(days=1)

    def stop(self) -> None:
        self.server.stop()

    def connector(self, auth: Auth | None = None, **options: Any) -> SalesforceConnector:
        settings: dict[str, Any] = {
            "fields": FIELDS,
            "retry": FAST_RETRY,
            "sleep": self.sleeps,
            "query_batch_size": self.page_size,
            **options,
        }
        return SalesforceConnector(connection(self.url, auth), **settings)

    def seeded_ids(self) -> list[str]:
        return [row["Id"] for row in self.app.records()]

    def deleted_ids(self) -> list[str]:
        return [row["Id"] for row in self.app.records() if row["IsDeleted"]]

    def raw(self, record_id: str) -> Mapping[str, Any]:
        return self.app.record(record_id)

    def modstamp(self, record_id: str) -> datetime:
        return parse_datetime(self.app.record(record_id)["SystemModstamp"])

    def human_edit(self, record_id: str, fields: Mapping[str, Any]) -> None:
        self.clock.advance()  # a person saves a while after leadloop read the record
        self.app.human_edit(record_id, dict(fields))

    def edit_within_stamp(self, record_id: str, fields: Mapping[str, Any]) -> None:
        now = self.clock.now
        self.clock.now = self.modstamp(record_id) + timedelta(milliseconds=500)
        try:  # a save later in the same second: the whole-second stamp stays as it was
            self.app.human_edit(record_id, dict(fields))
        finally:
            self.clock.now = now

    def settle(self) -> None:
        """Salesforce reads are consistent at once: nothing to wait for."""

    def touch(self, record_ids: Sequence[str]) -> datetime:
        self.clock.advance()
        for record_id in record_ids:
            self.app.human_edit(record_id, {})
        return self.clock.now

    def before_write(self, callback: Callable[[], None]) -> None:
        # The writer's first request is the re-read query of its conflict check.
        self.app.before_next("query", lambda app: callback())

    def fault(self, kind: str, times: int = 1) -> None:
        self.app.faults.script("query", kind, times)

    def write_fault(self, kind: str) -> None:
        self.app.faults.script("composite", kind)

    def storm(self, rate: float) -> None:
        self.app.faults.load(storm_plan(rate))

    def during_next_wait(self, callback: Callable[[], object]) -> None:
        self.sleeps.meanwhile.append(callback)

    def requests(self) -> int:
        return sum(self.app.calls.values())

    def write_requests(self) -> int:
        return self.app.calls["composite"]
