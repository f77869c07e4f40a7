"""The shared connector contract, run against the FakeConnector of the pipeline tests."""

from __future__ import annotations

import pytest

from tests.connectors.contract import ConnectorContract, OddAnswerContract
from tests.fakes.harness import FakeHarness


class TestFakeContract(ConnectorContract, OddAnswerContract):
    """Every contract case the real connectors pass, with the in-memory fake: a double worth
    trusting."""

    @pytest.fixture
    def harness(self) -> FakeHarness:
        return FakeHarness()
