"""REST resources that read: query paging cursors, getDeleted/getUpdated, limits.

Query results are projected when the query runs and kept under a cursor id, so later pages
show the data as it was at query time, as Salesforce's server-side cursors do. The newest
``MAX_CURSORS`` cursors stay open; an older locator gets ``INVALID_QUERY_LOCATOR``.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from datetime import datetime, timedelta
from typing import Any

from connectors.sandbox.salesforce.store import LeadStore
from connectors.sandbox.salesforce.values import make_id, parse_iso, wire
from connectors.sandbox.server import Request, Response

DEFAULT_BATCH = 2000
MIN_BATCH = 200
MAX_CURSORS = 100
_BATCH = re.compile(r"batchSize\s*=\s*(\d+)", re.IGNORECASE)


def batch_size(request: Request) -> int:
    """The page size asked for with ``Sforce-Query-Options: batchSize=N`` (200..2000)."""
    match = _BATCH.search(request.headers.get("sforce-query-options", ""))
    if match is None:
        return DEFAULT_BATCH
    return min(max(int(match.group(1)), MIN_BATCH), DEFAULT_BATCH)


class Cursors:
    """Open query cursors: id -> (version, projected records, page size)."""

    def __init__(self) -> None:
        self._open: OrderedDict[str, tuple[str, list[dict[str, Any]], int]] = OrderedDict()
        self._count = 0

    def first_page(self, version: str, records: list[dict[str, Any]], size: int) -> dict[str, Any]:
        """The first page of a query's results (opening a cursor if there are more)."""
        if sum(map(_weight, records)) <= size:
            return {"totalSize": len(records), "done": True, "records": records}
        self._count += 1
        cursor = make_id("01g", self._count)[:15]
        self._open[cursor] = (version, records, size)
        while len(self._open) > MAX_CURSORS:
            self._open.popitem(last=False)
        return self._page(cursor, 0)

    def next_page(self, locator: str) -> dict[str, Any] | None:
        """The page at ``locator`` (``<cursor>-<offset>``), or None for an unknown locator."""
        cursor, _, offset = locator.rpartition("-")
        if cursor not in self._open or not offset.isdigit():
            return None
        self._open.move_to_end(cursor)
        return self._page(cursor, int(offset))

    def _page(self, cursor: str, offset: int) -> dict[str, Any]:
        version, records, size = self._open[cursor]
        end, room = offset, size
        while end < len(records) and (end == offset or _weight(records[end]) <= room):
            room -= _weight(records[end])
            end += 1
        page: dict[str, Any] = {"totalSize": len(records), "done": end >= len(records)}
        if end < len(records):
            page["nextRecordsUrl"] = f"/services/data/v{version}/query/{cursor}-{end}"
        page["records"] = records[offset:end]
        return page


def _weight(record: dict[str, Any]) -> int:
    """How much of a page's batch size a record takes: itself and the child records nested in
    it ("Child objects count toward the number of records for the batch size",
    https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_queryoptions.htm)."""
    nested = (v for v in record.values() if isinstance(v, dict) and "totalSize" in v)
    return 1 + sum(len(v.get("records", ())) for v in nested)


def invalid_locator() -> Response:
    """The answer for a locator that is unknown or expired."""
    return Response.json(
        [{"message": "invalid query locator", "errorCode": "INVALID_QUERY_LOCATOR"}], 400
    )


#: how far back getDeleted and getUpdated reach; a start before that is refused
#: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api/resources_getdeleted.htm
#: https://developer.salesforce.com/docs/platform/api-rest/guide/resources-getupdated.html
REACH = {"deleted": timedelta(days=15), "updated": timedelta(days=30)}
#: the start must precede the end by more than a minute (getDeleted() rules and guidelines)
#: https://developer.salesforce.com/docs/atlas.en-us.264.0.api.meta/api/sforce_api_calls_getdeleted.htm
MIN_SPAN = timedelta(minutes=1)


def replication(
    store: LeadStore, request: Request, kind: str, now: datetime, strict: bool
) -> Response:
    """``sobjects/Lead/deleted/`` and ``/updated/``: ids changed in ``[start, latest)``.

    ``latestDateCovered`` is ``end`` floored to the minute, as Salesforce reports it; the next
    call should start there. ``strict`` (the ``replication_window`` quirk): the API truncates
    the seconds of both ends, covers nothing after now, and refuses a start out of reach and a
    window of a minute or less.
    """
    try:
        start = parse_iso(request.arg("start") or "")
        end = parse_iso(request.arg("end") or "")
    except ValueError:
        return _replication_error("start and end must be ISO-8601 date-times with an offset")
    if strict:
        start, end = _minute(start), _minute(end)
    problem = _window_problem(kind, start, end, now, strict)
    if problem is not None:
        return _replication_error(problem)
    low, latest = wire(start), wire(_minute(min(end, now) if strict else end))
    if kind == "deleted":
        found = [
            {"id": lead_id, "deletedDate": stamp}
            for lead_id, stamp in store.deleted_log.items()
            if low <= stamp < latest
        ]
        earliest = min(store.deleted_log.values(), default=low)
        return Response.json(
            {
                "deletedRecords": found,
                "earliestDateAvailable": earliest,
                "latestDateCovered": latest,
            }
        )
    ids = [row["Id"] for row in store.live() if low <= row["SystemModstamp"] < latest]
    return Response.json({"ids": ids, "latestDateCovered": latest})


def _window_problem(
    kind: str, start: datetime, end: datetime, now: datetime, strict: bool
) -> str | None:
    if end <= start:
        return "end date must be after start date"
    if not strict:
        return None
    if end - start <= MIN_SPAN:
        return "startDate must precede endDate by more than one minute"
    if start < now - REACH[kind]:
        days = REACH[kind].days
        return f"startDate is more than {days} days before the current date and time"
    return None


def _minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def _replication_error(message: str) -> Response:
    return Response.json([{"message": message, "errorCode": "INVALID_REPLICATION_DATE"}], 400)


def limits(used: int, maximum: int, bulk_jobs: int) -> dict[str, Any]:
    """The ``/limits`` body (the allocations the sync cares about)."""
    return {
        "DailyApiRequests": {"Max": maximum, "Remaining": max(maximum - used, 0)},
        "DailyBulkV2QueryJobs": {"Max": 10000, "Remaining": 10000 - bulk_jobs},
        "DailyBulkV2QueryFileStorageMB": {"Max": 976562, "Remaining": 976562},
        "ConcurrentAsyncGetReportInstances": {"Max": 200, "Remaining": 200},
    }


RELEASES = {
    "57.0": "Spring '23",
    "58.0": "Summer '23",
    "59.0": "Winter '24",
    "60.0": "Spring '24",
    "61.0": "Summer '24",
    "62.0": "Winter '25",
}


def versions(newest: str) -> list[dict[str, str]]:
    """``GET /services/data``: the API versions the org serves, oldest first."""
    served = sorted({v for v in RELEASES if float(v) <= float(newest)} | {newest}, key=float)
    return [
        {"label": RELEASES.get(v, f"API {v}"), "url": f"/services/data/v{v}", "version": v}
        for v in served
    ]
