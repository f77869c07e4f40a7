"""Full resync through Bulk API 2.0 query jobs (``queryAll``), parsed into REST-shaped records.

simple-salesforce's ``sf.bulk2.Lead.query_all()`` is a generator that sleeps with its own clock
and cannot be resumed after a failed request, so we drive the same ``_Bulk2Client`` one request
at a time (create job, poll, fetch results by locator): each request is then retried, counted
and budget-checked like any other call, and polling sleeps through the injected ``sleep``.
https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/query_create_job.htm
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC
from itertools import islice
from typing import Any

from simple_salesforce import Salesforce
from simple_salesforce.bulk2 import Operation

from connectors.base import FatalError, MalformedAnswer, Page, TransientError
from connectors.salesforce.streams import Api, StreamSpec, parse_datetime, to_source_records
from connectors.shapes import require

PAGE_SIZE = 2000  # records per Page handed to the engine
RESULTS_PER_CALL = 50_000  # records per results request (fewer calls; split into pages)
POLL_FIRST, POLL_MAX, POLL_BUDGET = 0.5, 10.0, 3600.0  # seconds

_NUMBERS: dict[str, Callable[[str], Any]] = {
    "int": int,
    "double": float,
    "currency": float,
    "percent": float,
    "long": int,
}


def _bulk(sf: Salesforce, spec: StreamSpec) -> Any:
    # A fresh handler per call picks up the current session id after a re-login.
    return getattr(sf.bulk2, spec.object_name)._client


def run_job(api: Api[Any], spec: StreamSpec, soql: str, sleep: Callable[[float], None]) -> str:
    """Create a queryAll job and poll until it completes; the job id."""
    job = api(
        "bulk_create",
        lambda sf: require(_bulk(sf, spec).create_job(Operation.query_all, soql), {"id": str}),
    )
    job_id = job["id"]
    delay, waited = POLL_FIRST, 0.0
    while True:
        info = api(
            "bulk_poll", lambda sf: require(_bulk(sf, spec).get_job(job_id, True), {"state": str})
        )
        state = info["state"]
        if state == "JobComplete":
            return job_id
        if state in ("Failed", "Aborted"):
            raise FatalError(f"Bulk 2.0 job {job_id} {state}: {info.get('errorMessage', '')}")
        if waited >= POLL_BUDGET:
            raise TransientError(f"Bulk 2.0 job {job_id} still {state} after {waited:.0f} s")
        sleep(delay)
        waited += delay
        delay = min(POLL_MAX, delay * 2)


def _results(spec: StreamSpec, job_id: str, locator: str) -> Callable[[Salesforce], Any]:
    def fetch(sf: Salesforce) -> Any:
        try:
            result = _bulk(sf, spec).get_query_results(job_id, locator, RESULTS_PER_CALL)
        except KeyError:  # simple-salesforce reads the header unguarded
            raise MalformedAnswer("Bulk 2.0 results lack Sforce-NumberOfRecords") from None
        return complete_chunk(result)

    return fetch


def complete_chunk(result: Mapping[str, Any]) -> Mapping[str, Any]:
    """``result`` unless its CSV has fewer lines than the records ``Sforce-NumberOfRecords``
    announced (an empty or cut body); a quoted cell may hold line breaks, so more is fine."""
    expected = int(result["number_of_records"])
    lines = result["records"].count("\n")
    if expected and lines < expected:
        raise MalformedAnswer(
            f"Bulk 2.0 results announce {expected} records but hold {lines} lines"
        )
    return result


def result_chunks(api: Api[Any], spec: StreamSpec, job_id: str) -> Iterator[str]:
    """The job's CSV result chunks, following ``Sforce-Locator`` until it is ``null``."""
    locator = ""
    while True:
        result = api("bulk_results", _results(spec, job_id, locator))
        yield result["records"]
        locator = result["locator"]
        if not locator:
            return


def converters(describe: Mapping[str, Any]) -> dict[str, Callable[[str], Any]]:
    """Per field, how to turn a CSV cell into the value REST JSON would have carried."""
    table: dict[str, Callable[[str], Any]] = {}
    for item in describe.get("fields", []):
        kind = item.get("type")
        if kind == "boolean":
            table[item["name"]] = lambda v: v.lower() == "true"
        elif kind in _NUMBERS:
            table[item["name"]] = _NUMBERS[kind]
        elif kind == "datetime":
            table[item["name"]] = rest_datetime
    return table


def rest_datetime(value: str) -> str:
    """A Bulk datetime (``...Z``) in the REST wire format (``...000+0000``)."""
    if len(value) == 24 and value[19] == "." and value.endswith("Z"):
        return value[:23] + "+0000"  # the usual shape: no parsing needed
    moment = parse_datetime(value).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def iter_csv(text: str, table: Mapping[str, Callable[[str], Any]]) -> Iterator[dict[str, Any]]:
    """CSV rows as dicts, one at a time; empty cells are null (Bulk CSV cannot tell "" from
    null). Lazy, so a 50,000-row results chunk never exists as 50,000 dicts at once."""
    reader = csv.reader(_lines(text))
    header = next(reader, None)
    if header is None:
        return
    columns = [(name, table.get(name)) for name in header]
    for row in reader:
        if len(row) != len(columns):
            raise FatalError(
                f"broken Bulk 2.0 results: CSV line {reader.line_num} has "
                f"{len(row)} cells, the header names {len(columns)}"
            )
        yield {
            name: None if cell == "" else convert(cell) if convert else cell
            for (name, convert), cell in zip(columns, row, strict=True)
        }


def _lines(text: str) -> Iterator[str]:
    """``text`` line by line, endings kept (the csv module joins a quoted field's lines).

    Not ``io.StringIO(text)``: it copies the whole chunk into a buffer of 4 bytes a character
    (33 MB for an 8 MB chunk of plain ASCII).
    """
    start, end = 0, len(text)
    while start < end:
        stop = text.find("\n", start) + 1 or end
        yield text[start:stop]
        start = stop


def bulk_pages(
    api: Api[Any],
    spec: StreamSpec,
    soql: str,
    describe: Mapping[str, Any],
    sleep: Callable[[float], None],
    total: int | None = None,
) -> Iterator[Page]:
    """Pages of at most PAGE_SIZE records from a Bulk 2.0 queryAll job (no cursor: unordered);
    ``total``: the records expected, for progress bars."""
    table = converters(describe)
    job_id = run_job(api, spec, soql, sleep)
    for chunk in result_chunks(api, spec, job_id):
        rows = iter_csv(chunk, table)
        while page := list(islice(rows, PAGE_SIZE)):
            yield Page(to_source_records(page, spec), None, total)
