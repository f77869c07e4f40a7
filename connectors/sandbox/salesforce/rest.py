"""REST resources that read: query paging cursors, getDeleted/getUpdated, limits.

Query results are projected when the query runs and kept under a cursor id, so later pages
show the data as it was at query time, as Salesforce's server-side cursors do. The newest
``MAX_CURSORS`` cursors stay open; an older locator gets ``INVALID_QUERY_LOCATOR``.
"""

from __future__ import annotations

import re
from collections import OrderedDict
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
        if len(records) <= size:
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
        end = offset + size
        page: dict[str, Any] = {"totalSize": len(records), "done": end >= len(records)}
        if end < len(records):
            page["nextRecordsUrl"] = f"/services/data/v{version}/query/{cursor}-{end}"
        page["records"] = records[offset:end]
        return page


def invalid_locator() -> Response:
    """The answer for a locator that is unknown or expired."""
    return Response.json(
        [{"message": "invalid query locator", "errorCode": "INVALID_QUERY_LOCATOR"}], 400
    )


def replication(store: LeadStore, request: Request, kind: str) -> Response:
    """``sobjects/Lead/deleted/`` and ``/updated/``: ids changed in ``[start, latest)``.

    ``latestDateCovered`` is ``end`` floored to the minute, as Salesforce reports it; the
    next call should start there.
    """
    try:
        start = parse_iso(request.arg("start") or "")
        end = parse_iso(request.arg("end") or "")
    except ValueError:
        return Response.json(
            [
                {
                    "message": "start and end must be ISO-8601 date-times with an offset",
                    "errorCode": "INVALID_REPLICATION_DATE",
                }
            ],
            400,
        )
    if end <= start:
        return Response.json(
            [
                {
                    "message": "end date must be after start date",
                    "errorCode": "INVALID_REPLICATION_DATE",
                }
            ],
            400,
        )
    low, latest = wire(start), wire(end.replace(second=0, microsecond=0))
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
