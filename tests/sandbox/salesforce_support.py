"""Shared helpers for the Salesforce emulator tests: a frozen clock, a running emulator and a
real simple-salesforce client logged in to it over SOAP."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from simple_salesforce import Salesforce

from connectors.salesforce.client import SalesforceConnection, SessionAuth, build_session
from connectors.salesforce.transport import BaseUrlSession
from connectors.sandbox.salesforce import SalesforceEmulator
from connectors.sandbox.server import Server
from tests.builders import FrozenClock

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
USERNAME, PASSWORD, TOKEN = "admin@leadloop.sandbox", "sandbox-password", "sandbox-token"


@dataclass
class Running:
    emulator: SalesforceEmulator
    sf: Any  # simple-salesforce's dynamic attributes (sf.Lead, sf.bulk2.Lead) defeat its hints
    url: str
    clock: FrozenClock

    def session(self) -> BaseUrlSession:
        """A fresh routing session for another client of the same emulator."""
        return routing_session(self.url)

    def lead(self, **fields: Any) -> dict[str, Any]:
        """A live lead (first in creation order) after a human edit setting ``fields``."""
        row = next(
            row
            for row in self.emulator.records()
            if not row["IsDeleted"] and not row["IsConverted"]
        )
        return self.emulator.human_edit(row["Id"], fields) if fields else row


@contextmanager
def running(clock: FrozenClock | None = None, plain: int = 0, **options: Any) -> Iterator[Running]:
    """An emulator on a free loopback port and a real simple-salesforce client logged in."""
    clock = clock or FrozenClock(START)
    options.setdefault("leads", 0)
    emulator = SalesforceEmulator(now=clock, **options)
    emulator.add_leads(plain)
    with Server(emulator) as server:
        yield Running(emulator, login(server.url), server.url, clock)


def login(url: str, **kwargs: Any) -> Salesforce:
    """simple-salesforce logged in with username, password and token (SOAP)."""
    credentials = {"username": USERNAME, "password": PASSWORD, "security_token": TOKEN}
    return Salesforce(**{**credentials, **kwargs}, domain="login", session=routing_session(url))


def collection(*records: dict[str, Any], all_or_none: bool = False) -> dict[str, Any]:
    """A Collections PATCH body for Lead records given as ``{"id": ..., field: value}``."""
    return {
        "allOrNone": all_or_none,
        "records": [{"attributes": {"type": "Lead"}, **record} for record in records],
    }


def first_error(exc: BaseException) -> dict[str, Any]:
    """The first REST error of a simple-salesforce exception's JSON array body."""
    content: Any = getattr(exc, "content", None)
    assert isinstance(content, list), f"not a JSON array error body: {content!r}"
    return dict(content[0])


def routing_session(url: str) -> BaseUrlSession:
    """The connector's own routing session for an org whose login and instance are ``url``."""
    return build_session(SalesforceConnection(SessionAuth("-"), instance_url=url, login_url=url))
