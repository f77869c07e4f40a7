"""Shared helpers for the HubSpot emulator tests: a frozen clock and a running emulator."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from hubspot import Client

from connectors.sandbox.hubspot import HubSpotEmulator
from connectors.sandbox.server import Server
from tests.builders import FrozenClock

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@dataclass
class Running:
    emulator: HubSpotEmulator
    client: Client
    url: str
    clock: FrozenClock


@contextmanager
def running(clock: FrozenClock | None = None, **options: Any) -> Iterator[Running]:
    """A HubSpotEmulator on a free loopback port and a real hubspot-api-client pointed at it."""
    clock = clock or FrozenClock(START)
    options.setdefault("contacts", 0)
    emulator = HubSpotEmulator(now=clock, **options)
    with Server(emulator) as server:
        client = Client.create(access_token=emulator.access_token, host=server.url)
        yield Running(emulator, client, server.url, clock)


def error_body(exc: Any) -> dict[str, Any]:
    """The parsed JSON body of an SDK ApiException."""
    return dict(json.loads(exc.body))
