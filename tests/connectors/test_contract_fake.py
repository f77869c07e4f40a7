"""The shared connector contract, run against the FakeConnector of the pipeline tests."""

from __future__ import annotations

import pytest

from tests.connectors.contract import ConnectorContract
from tests.fakes.harness import FakeHarness


class TestFakeContract(ConnectorContract):
    """Every ConnectorContract case, with the in-memory fake: a double worth trusting."""

    @pytest.fixture
    def harness(self) -> FakeHarness:
        return FakeHarness()
