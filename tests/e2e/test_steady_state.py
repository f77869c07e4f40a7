"""The steady state: what a scheduled sync costs when nothing changed (issue 14).

A worker runs every 15 minutes; after a sync that wrote corrections back, the next sync reads
leadloop's own writes once, and from then on a sync in which nobody changed anything reads
nothing and costs at most two API calls per source (Salesforce: the login and one query;
HubSpot: one search). Archived contacts are listed on a schedule of their own.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlalchemy import select

from sync.pipeline.engine import Engine as Loop
from sync.pipeline.engine import SyncRequest
from sync.pipeline.sources import open_sources
from sync.store.models import LeadRow
from tests.builders import FrozenClock
from tests.e2e.conftest import Harness

EVERY = timedelta(minutes=15)


def calls_of(harness: Harness) -> dict[str, Counter[str]]:
    """The requests each emulator has answered so far, by endpoint."""
    return {
        "salesforce": Counter(harness.box.salesforce.calls),
        "hubspot": Counter(harness.box.hubspot.calls),
    }


def scheduled_sync(harness: Harness) -> tuple[dict[str, Counter[str]], dict[str, int]]:
    """The next scheduled sync: the requests it sent per source and the records it pulled."""
    harness.clock.advance(EVERY)
    before = calls_of(harness)
    reports = harness.sync()
    after = calls_of(harness)
    sent = {name: after[name] - before[name] for name in after}
    return sent, {name: report.counts["pulled"] for name, report in reports.items()}


def test_given_a_sync_that_wrote_back_when_nothing_changes_then_later_syncs_read_nothing(
    harness: Harness,
) -> None:
    harness.sync()
    assert harness.writes() > 0

    _, echoed = scheduled_sync(harness)  # our own writes come back once
    sent, pulled = scheduled_sync(harness)

    assert echoed["salesforce"] > 0 and echoed["hubspot"] > 0
    assert pulled == {"salesforce": 0, "hubspot": 0}
    assert sent["salesforce"] == Counter({"login": 1, "query": 1})
    assert sent["hubspot"] == Counter({"search": 1})


def test_given_a_contact_archived_when_the_deletions_listing_is_due_then_it_is_marked_deleted(
    harness: Harness,
) -> None:
    harness.sync()  # the first sync lists archived contacts
    contact = harness.hs_contacts("working_clean")[0]["id"]
    harness.box.hubspot.archive(contact)

    listings = []
    for _ in range(4):  # 15, 30, 45, 60 minutes after the first listing
        sent, _ = scheduled_sync(harness)
        listings.append(sent["hubspot"]["contacts_list"])

    assert listings == [0, 0, 0, 1]
    with harness.sessions() as session:
        row = session.scalars(select(LeadRow).where(LeadRow.external_id == contact)).one()
    assert row.is_deleted


def test_given_a_resync_since_when_the_listing_is_not_due_then_deletions_are_listed_anyway(
    harness: Harness,
) -> None:
    harness.sync()
    contact = harness.hs_contacts("working_clean")[0]["id"]
    harness.clock.advance(EVERY)
    harness.box.hubspot.archive(contact)
    harness.clock.advance(EVERY)

    before = calls_of(harness)["hubspot"]["contacts_list"]
    harness.sync("hubspot", mode="since", since=harness.clock.now - 2 * EVERY)

    assert calls_of(harness)["hubspot"]["contacts_list"] == before + 1
    with harness.sessions() as session:
        row = session.scalars(select(LeadRow).where(LeadRow.external_id == contact)).one()
    assert row.is_deleted


def test_given_a_crm_clock_behind_ours_when_a_record_changes_after_a_sync_then_it_is_read(
    harness: Harness,
) -> None:
    """The next window starts from the CRM's clock at the last read (its Date header), not
    from ours: a day of skew, far beyond the lookback, loses nothing."""

    def sync_a_day_ahead() -> None:
        ahead = FrozenClock(harness.clock.now + timedelta(days=1))
        with open_sources(harness.settings, ["salesforce"]) as opened:
            Loop(harness.settings, harness.sessions, ahead).sync(
                opened["salesforce"], SyncRequest()
            )

    sync_a_day_ahead()
    harness.clock.advance(EVERY)
    lead = harness.sf_leads("working_clean")[0]["Id"]
    harness.box.salesforce.human_edit(lead, {"Company": "Edited After The Sync"})
    harness.clock.advance(EVERY)

    sync_a_day_ahead()

    with harness.sessions() as session:
        row = session.scalars(select(LeadRow).where(LeadRow.external_id == lead)).one()
    assert row.company == "Edited After The Sync"


def test_given_deletions_every_30m_when_syncing_every_15m_then_every_other_sync_lists(
    harness: Harness,
) -> None:
    source = harness.settings.sources["hubspot"]
    pull = source.pull.model_copy(update={"deletions_every": timedelta(minutes=30)})
    sources = {**harness.settings.sources, "hubspot": source.model_copy(update={"pull": pull})}
    harness.settings = harness.settings.model_copy(update={"sources": sources})
    harness.sync()

    listings = [scheduled_sync(harness)[0]["hubspot"]["contacts_list"] for _ in range(4)]

    assert listings == [0, 1, 0, 1]


def test_given_the_lookback_rereads_a_lead_unchanged_when_syncing_then_no_describe_call(
    harness: Harness,
) -> None:
    """A record read again exactly as stored needs no evaluation, so no policy context: the
    org's describe (picklist options, flag form) is not fetched for it."""
    source = harness.settings.sources["salesforce"]
    quiet = source.model_copy(
        update={"write_back": source.write_back.model_copy(update={"enabled": False})}
    )
    harness.settings = harness.settings.model_copy(
        update={"sources": {**harness.settings.sources, "salesforce": quiet}}
    )
    lead = harness.sf_leads("working_clean")[0]["Id"]
    harness.box.salesforce.human_edit(lead, {"Company": "Edited Just Before The Sync"})
    harness.clock.advance(timedelta(minutes=1))
    harness.sync("salesforce")  # reads the edit, stamped a minute before its window's end

    sent, pulled = scheduled_sync(harness)  # the lookback reads it again, unchanged

    assert pulled["salesforce"] == 1
    assert sent["salesforce"] == Counter({"login": 1, "query": 1})
