"""Fixtures for the Salesforce connector tests: a fresh emulator per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.connectors.salesforce.harness import SalesforceHarness


@pytest.fixture
def org() -> Iterator[SalesforceHarness]:
    """A served emulator (300 seeded leads, frozen clock) and connector builders."""
    running = SalesforceHarness()
    yield running
    running.stop()
