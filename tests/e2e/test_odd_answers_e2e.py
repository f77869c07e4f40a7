"""Odd answers end to end: a run that meets them fails without moving the cursor past
records it never stored, and the next clean sync stores every record."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from connectors.base import TransientError
from sync.store.models import LeadRow
from tests.builders import FrozenClock
from tests.e2e.conftest import Harness, _harness


@pytest.fixture
def big(tmp_path: Path, clock: FrozenClock) -> Iterator[Harness]:
    """Enough contacts for three search pages and leads for two query pages."""
    yield from _harness(
        tmp_path, f"sqlite:///{tmp_path / 'leadloop.db'}", clock, leads=2500, contacts=450
    )


def stored(h: Harness, source: str) -> set[str]:
    with h.sessions() as session:
        return set(session.scalars(select(LeadRow.external_id).where(LeadRow.source == source)))


def test_given_empty_search_pages_past_the_retries_when_syncing_then_failed_then_all_stored(
    big: Harness,
) -> None:
    hubspot = big.box.hubspot
    every = {str(i) for i in hubspot.contacts.records}
    hubspot.faults.script("search", "slow")  # the first page answers as usual
    hubspot.faults.script("search", "empty", times=8)  # then empty 200s past every retry

    with pytest.raises(TransientError, match="HTTP 200 with an empty body"):
        big.sync("hubspot")
    assert stored(big, "hubspot") < every

    big.sync("hubspot")
    assert stored(big, "hubspot") >= every


def test_given_a_query_page_without_records_past_the_retries_then_failed_then_all_stored(
    big: Harness,
) -> None:
    salesforce = big.box.salesforce
    every = {row["Id"] for row in salesforce.records()}
    salesforce.faults.script("query_more", "missing:records", times=8)

    with pytest.raises(TransientError, match="lacks the documented key 'records'"):
        big.sync("salesforce")
    assert stored(big, "salesforce") < every

    big.sync("salesforce")
    assert stored(big, "salesforce") == every
