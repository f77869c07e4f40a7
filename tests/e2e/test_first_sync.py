"""A first sync reads a large Salesforce org through one Bulk API 2.0 job (issue 14).

Without a cursor there is no window start: the first sync is a full read. Above
``pull.bulk_threshold`` leads (a COUNT() call tells) it reads one Bulk 2.0 queryAll job
(results 50,000 records a call) instead of a query call per 2,000 leads, and it stores exactly
what a REST first sync stores.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import select

from sync.store.models import LeadRow
from tests.builders import FrozenClock
from tests.e2e.conftest import START, Harness, _harness
from tests.e2e.test_steady_state import scheduled_sync

LEADS = 600  # three REST pages of 200 (``pull.page_size``'s least)


@contextmanager
def org(tmp_path: Path, bulk_threshold: int) -> Iterator[Harness]:
    """A sandbox of LEADS leads, its Salesforce source with ``bulk_threshold`` and pages of 200."""
    store = f"sqlite:///{tmp_path / 'leadloop.db'}"
    with contextmanager(_harness)(tmp_path, store, FrozenClock(START), leads=LEADS) as harness:
        source = harness.settings.sources["salesforce"]
        pull = source.pull.model_copy(update={"bulk_threshold": bulk_threshold, "page_size": 200})
        sources = {
            **harness.settings.sources,
            "salesforce": source.model_copy(update={"pull": pull}),
        }
        harness.settings = harness.settings.model_copy(update={"sources": sources})
        yield harness


def stored(harness: Harness) -> dict[str, tuple[Any, ...]]:
    with harness.sessions() as session:
        rows = session.scalars(select(LeadRow).where(LeadRow.source == "salesforce")).all()
        return {
            r.external_id: (
                r.fingerprint,
                r.is_deleted,
                r.merged_into,
                r.modified_at,
                r.status_changed_at,
            )
            for r in rows
        }


def test_given_an_org_above_the_bulk_threshold_when_first_synced_then_one_job_reads_it(
    tmp_path: Path,
) -> None:
    # given the same org first synced through REST pages
    with org(tmp_path / "rest", bulk_threshold=10**6) as rest:
        rest.sync("salesforce")
        by_rest, rest_calls = stored(rest), Counter(rest.box.salesforce.calls)
    # when
    with org(tmp_path / "bulk", bulk_threshold=100) as bulk:
        bulk.sync("salesforce")
        by_bulk, bulk_calls = stored(bulk), Counter(bulk.box.salesforce.calls)

        # then the same leads stored, from one job, and the next syncs are the usual ones
        assert by_bulk == by_rest and len(by_bulk) == LEADS
        assert rest_calls["query_more"] >= 2 and rest_calls["bulk_create"] == 0
        assert bulk_calls["bulk_create"] == 1 and bulk_calls["query_more"] == 0
        scheduled_sync(bulk)  # our own write-back comes back once
        sent, pulled = scheduled_sync(bulk)
        assert pulled["salesforce"] == 0
        assert sent["salesforce"] == Counter({"login": 1, "query": 1})
