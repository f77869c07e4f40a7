"""Same-second import bursts in seeded orgs, placed across the boundaries a sync pages at."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from connectors.sandbox.salesforce import SalesforceEmulator
from connectors.sandbox.salesforce.bursts import burst_ranges
from connectors.sandbox.salesforce.schema import AUTOMATION_USER
from tests.sandbox.salesforce_support import running

SYNC_ORDER = "SELECT Id, SystemModstamp FROM Lead ORDER BY SystemModstamp, Id"


def sync_order(emulator: SalesforceEmulator) -> list[dict[str, Any]]:
    """Every lead (deleted ones too) in the order an incremental sync reads them."""
    return sorted(emulator.records(), key=lambda row: (row["SystemModstamp"], row["Id"]))


def straddles(rows: list[dict[str, Any]], boundary: int) -> bool:
    """Whether the rows just before and just after position ``boundary`` share one second."""
    return rows[boundary - 1]["SystemModstamp"] == rows[boundary]["SystemModstamp"]


def biggest_burst(rows: list[dict[str, Any]]) -> int:
    return max(Counter(row["SystemModstamp"] for row in rows).values())


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (200, [(75, 125)]),
        (300, [(170, 230)]),
        (700, [(170, 230), (370, 430), (570, 630)]),
        (4500, [(1700, 2300), (3700, 4300)]),
    ],
)
def test_given_an_org_size_when_planning_bursts_then_around_every_page_boundary(
    count: int, expected: list[tuple[int, int]]
) -> None:
    assert burst_ranges(count) == expected


def test_given_a_seeded_org_of_4500_when_read_in_sync_order_then_bursts_straddle_pages() -> None:
    emulator = SalesforceEmulator(leads=4500, seed=42)
    rows = sync_order(emulator)
    assert all(straddles(rows, boundary) for boundary in (2000, 4000))  # REST query pages
    assert all(straddles(rows, boundary) for boundary in (1800, 2200, 3800, 4200))  # Collections
    assert biggest_burst(rows) >= 500  # hundreds of leads in one second
    burst = [row for row in emulator.records() if row["CreatedById"] == AUTOMATION_USER]
    assert {row["CreatedDate"] for row in burst} == {row["SystemModstamp"] for row in burst}


def test_given_bulk_loaded_leads_when_read_in_creation_order_then_bursts_straddle_there_too() -> (
    None
):
    with running(plain=4500) as sandbox:
        created = sandbox.emulator.records()  # an unordered Bulk query returns creation order
        synced = sync_order(sandbox.emulator)
    assert all(straddles(created, boundary) for boundary in (2000, 4000))
    assert all(straddles(synced, boundary) for boundary in (2000, 4000))


def test_given_the_default_org_when_paged_by_200_then_a_burst_straddles_the_page_break() -> None:
    with running(leads=300) as sandbox:
        first = sandbox.sf.query(SYNC_ORDER, headers={"Sforce-Query-Options": "batchSize=200"})
        second = sandbox.sf.query_more(first["nextRecordsUrl"], identifier_is_url=True)
    assert first["records"][-1]["SystemModstamp"] == second["records"][0]["SystemModstamp"]


def test_given_a_small_org_when_seeded_then_a_burst_in_the_middle() -> None:
    rows = sync_order(SalesforceEmulator(leads=200, seed=42))
    assert straddles(rows, 100) and biggest_burst(rows) >= 40


def test_given_bursts_switched_off_when_seeded_then_no_second_holds_many_leads() -> None:
    emulator = SalesforceEmulator(leads=4500, seed=42, quirks_off={"same_second_bursts"})
    assert biggest_burst(sync_order(emulator)) < 10


def test_given_the_status_field_on_when_a_burst_is_imported_then_dated_at_the_import() -> None:
    emulator = SalesforceEmulator(leads=300, seed=42, quirks_off={"no_status_changed_field"})
    burst = [row for row in emulator.records() if row["CreatedById"] == AUTOMATION_USER]
    assert burst and all(row["Status_Changed_At__c"] == row["CreatedDate"] for row in burst)
