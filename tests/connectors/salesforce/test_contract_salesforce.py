"""The shared connector contract, run against the Salesforce emulator."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.connectors.contract import ConnectorContract, OddAnswerContract
from tests.connectors.salesforce.harness import SalesforceHarness


@pytest.fixture
def harness() -> Iterator[SalesforceHarness]:
    running = SalesforceHarness()
    yield running
    running.stop()


class TestSalesforceContract(ConnectorContract, OddAnswerContract):
    """Every ConnectorContract case, with the Salesforce harness."""
