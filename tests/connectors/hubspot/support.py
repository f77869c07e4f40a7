"""Builders for the HubSpot connector tests: a frozen clock, a running emulator, connectors."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from connectors.base import Correction, SourceRecord, Window
from connectors.http import RetryPolicy
from connectors.hubspot import HubSpotConnection, HubSpotConnector
from connectors.hubspot.pacing import TokenBucket, search_bucket
from connectors.hubspot.streams import parse_stamp
from connectors.sandbox.hubspot import HubSpotEmulator
from connectors.sandbox.server import Request, Response, Server

TOKEN = "pat-sandbox-token"
from tests.builders import FrozenClock  # noqa: E402

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
END = START + timedelta(days=1)
PROPERTIES = (
    "email",
    "hs_lead_status",
    "nurture_reason",
    "unqualified_reason",
    "reason_detail",
    "campaign",
    "wants_call",
)
#: a full window over everything the tests create (edits happen at START or later)
EVERYTHING = Window(None, END + timedelta(days=365))


@dataclass
class Sleeps:
    """A fake ``sleep`` that records the waits the retry policy asked for (and moves the
    emulator's clock by them, so rate-limit windows pass)."""

    clock: FrozenClock
    waits: list[float] = field(default_factory=list)
    meanwhile: list[Callable[[], object]] = field(default_factory=list)

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.clock.advance(seconds=seconds)
        due, self.meanwhile = self.meanwhile, []
        for callback in due:
            callback()


@dataclass
class Sandbox:
    """A running emulator and what a test needs to build connectors against it."""

    emulator: RecordingEmulator
    url: str
    clock: FrozenClock
    sleeps: Sleeps

    def connector(
        self,
        *,
        properties: Sequence[str] = PROPERTIES,
        token: str = TOKEN,
        create_missing_options: bool = False,
        **options: Any,
    ) -> HubSpotConnector:
        """A connector whose retries record their waits instead of sleeping, and whose
        searches are paced on the frozen clock (:meth:`pacer`)."""
        conn = HubSpotConnection(
            token, base_url=self.url, create_missing_options=create_missing_options
        )
        options.setdefault("retry", RetryPolicy(attempts=4, jitter=0.0))
        options.setdefault("search_pacer", self.pacer())
        return HubSpotConnector(conn, properties=properties, sleep=self.sleeps, **options)

    def pacer(self) -> TokenBucket:
        """The connector's search pacing on the frozen clock: its waits move the clock (so
        the emulator's rate windows pass) without sleeping, and are not retry waits."""

        def sleep(seconds: float) -> None:
            self.clock.advance(seconds=seconds)

        return search_bucket(clock=lambda: self.clock().timestamp(), sleep=sleep)

    def calls(self, operation: str | None = None) -> int:
        """Requests the emulator answered (of one operation, or all)."""
        calls = self.emulator.calls
        return calls[operation] if operation else sum(calls.values())

    def modstamp(self, contact_id: str) -> datetime:
        stamp = parse_stamp(self.emulator.contact(contact_id)["properties"]["lastmodifieddate"])
        assert stamp is not None
        return stamp

    def live_ids(self) -> list[str]:
        return [str(r.id) for r in self.emulator.contacts.records.values() if not r.archived]

    def correction(
        self, contact_id: str, changes: dict[str, str | None], key: str | None = None
    ) -> Correction:
        """A correction evaluated against the contact's current stamp."""
        return Correction(key or f"k-{contact_id}", contact_id, changes, self.modstamp(contact_id))


class RecordingEmulator(HubSpotEmulator):
    """The emulator, keeping every API request it received (control calls excluded)."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.seen: list[Request] = []
        self.answers: list[tuple[str, int]] = []  # (operation, HTTP status)

    def dispatch(self, request: Request) -> Response:
        if request.path.startswith("/__sandbox__/"):
            return super().dispatch(request)
        self.seen.append(request)
        response = super().dispatch(request)
        self.answers.append((self.operation(request), response.status))
        return response

    def refused(self, operation: str) -> int:
        """Requests of ``operation`` answered 429 (rate limited)."""
        return sum(1 for name, status in self.answers if name == operation and status == 429)

    def bodies(self, operation: str) -> list[Any]:
        """JSON bodies of the requests of one operation, in order."""
        return [r.json() for r in self.seen if self.operation(r) == operation]


@contextmanager
def sandbox(
    clock: FrozenClock | None = None,
    *,
    emulator_class: type[RecordingEmulator] = RecordingEmulator,
    **options: Any,
) -> Iterator[Sandbox]:
    """A HubSpotEmulator on a free loopback port (0 seeded contacts unless told)."""
    clock = clock or FrozenClock(START)
    options.setdefault("contacts", 0)
    # the connector paces its searches on this frozen clock (its waits move it): the rate
    # windows follow it alone, or a slow request on a busy machine lets real time overtake it
    # and the next quick requests fall into one real second (a refusal the client never made)
    options.setdefault("limits_follow_real_time", False)
    emulator = emulator_class(now=clock, **options)
    with Server(emulator) as server:
        yield Sandbox(emulator, server.url, clock, Sleeps(clock))


def ids_of(records: Sequence[SourceRecord]) -> list[str]:
    return [r.record_id for r in records]


def add_contacts_at(
    emulator: HubSpotEmulator, count: int, stamp: Callable[[int], int]
) -> list[str]:
    """``count`` contacts whose lastmodifieddate is ``stamp(i)`` epoch ms (bulk, no API)."""
    ids = emulator.add_contacts(count)
    for index, contact_id in enumerate(ids):
        record = emulator.contacts.records[int(contact_id)]
        emulator.contacts.write(record, {}, stamp(index))
    return ids
