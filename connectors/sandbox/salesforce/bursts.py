"""Same-second bursts in seeded orgs: imports that create many leads in one second.

Real orgs receive leads in bulk (list imports, a marketing-automation sync): hundreds of records
share one CreatedDate and SystemModstamp second, and stamps have whole-second precision
(https://salesforce.stackexchange.com/questions/234824). A sync that pages by SystemModstamp
alone loses or repeats records exactly there, so the seeds place such bursts where a sync splits
the org into pages, in both the order a sync reads (SystemModstamp, Id) and creation order
(what an unordered Bulk query returns):

* orgs over 2,000 leads: a burst of up to 600 around every 2,000th lead (a full REST query
  page, https://developer.salesforce.com/docs/platform/api-rest/guide/resources-query.html;
  ten sObject Collections batches of 200; Bulk result chunks come in multiples of it);
* smaller orgs: a burst of up to 60 around every 200th lead (one Collections batch, the
  smallest REST page), or around the middle of an org of 200 leads or fewer.

In an org with a status-changed date field, imported leads carry the import's second there.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from connectors.sandbox.salesforce.schema import AUTOMATION_USER, STATUS_CHANGED_FIELD
from connectors.sandbox.salesforce.store import LeadStore, Row
from connectors.sandbox.salesforce.values import parse_wire, wire

REST_PAGE = 2000
COLLECTIONS_BATCH = 200
BIG_HALF, SMALL_HALF = 300, 30


def burst_ranges(count: int) -> list[tuple[int, int]]:
    """``[start, stop)`` positions of the bursts in an org of ``count`` leads."""
    if count > REST_PAGE:
        centers, half = list(range(REST_PAGE, count, REST_PAGE)), BIG_HALF
    elif count > COLLECTIONS_BATCH:
        centers = list(range(COLLECTIONS_BATCH, count, COLLECTIONS_BATCH))
        half = min(SMALL_HALF, count // 8)
    else:
        centers, half = [count // 2], count // 8
    return [(max(c - half, 0), min(c + half, count)) for c in centers if half > 0]


def apply_bursts(store: LeadStore, rows: Sequence[Row]) -> None:
    """Turn ``rows`` (in creation order) into an org with bursts at :func:`burst_ranges`.

    Each burst's leads get one stamp, one second after the stamp of the last lead outside any
    burst that should sort before them, so in (SystemModstamp, Id) order they occupy the same
    positions as in creation order.
    """
    ranges = burst_ranges(len(rows))
    inside = {id(row) for start, stop in ranges for row in rows[start:stop]}
    others = sorted(row["SystemModstamp"] for row in rows if id(row) not in inside)
    taken = 0  # leads of earlier bursts, which sort before this one
    for start, stop in ranges:
        members = rows[start:stop]
        _import(store, members, wire(_second_at(others, start - taken, members)))
        taken += stop - start


def _second_at(others: Sequence[str], position: int, members: Sequence[Row]) -> datetime:
    """The second that sorts right after ``others[:position]`` and before the rest."""
    if position > 0:
        return _whole(others[position - 1]) + timedelta(seconds=1)
    if others:
        return _whole(others[0]) - timedelta(seconds=1)
    return _whole(min(row["SystemModstamp"] for row in members))


def _whole(stamp: str) -> datetime:
    return parse_wire(stamp).replace(microsecond=0)


def _import(store: LeadStore, members: Sequence[Row], stamp: str) -> None:
    for row in members:
        row.update(
            CreatedDate=stamp,
            LastModifiedDate=stamp,
            SystemModstamp=stamp,
            CreatedById=AUTOMATION_USER,
            LastModifiedById=AUTOMATION_USER,
        )
        if STATUS_CHANGED_FIELD in row:
            row[STATUS_CHANGED_FIELD] = stamp
        if row["ConvertedDate"] is not None:
            row["ConvertedDate"] = stamp[:10]
        if row["Id"] in store.deleted_log:
            store.deleted_log[row["Id"]] = stamp
