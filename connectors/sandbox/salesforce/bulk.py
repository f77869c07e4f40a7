"""Bulk API 2.0 query jobs: create, poll (UploadComplete -> InProgress -> JobComplete), results.

As in Salesforce, creating a job only checks the SOQL (a bad query is a 400 then) and answers
at once; the query runs in a background thread that holds the emulator lock for one chunk of
rows at a time, so no request waits for a large org. It keeps the selected values of each
matching row (a snapshot: later edits do not show), and each results request turns only its
own slice into CSV: every value quoted, ``Sforce-NumberOfRecords`` and ``Sforce-Locator`` (the
literal ``null`` after the last chunk), as
https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/query_get_job_results.htm
describes. A job completes once processed and after two polls or two seconds; a poll first
waits briefly for the processing, so small jobs complete after exactly two polls.
"""

from __future__ import annotations

import base64
import csv
import io
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from connectors.sandbox.salesforce.plan import Plan, Row
from connectors.sandbox.salesforce.values import bulk_datetime, make_id, wire
from connectors.sandbox.server import Response

log = logging.getLogger(__name__)
TERMINAL = ("JobComplete", "Failed", "Aborted")
COMPLETES_AFTER = timedelta(seconds=2)
CHUNK_ROWS = 20_000  # rows filtered per hold of the emulator lock
YIELD_SECONDS = 0.001  # pause between lock holds
SETTLE_SECONDS = 1.0  # how long a poll waits for the processing before answering
NOT_FOUND = [{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}]
Values = tuple[Any, ...]


@dataclass
class Job:
    id: str
    operation: str
    object: str
    version: str
    created: datetime
    header: list[str]
    kinds: list[str]
    state: str = "UploadComplete"
    polls: int = 0
    rows: list[Values] = field(default_factory=list)  # selected values, once processed
    error: str | None = None
    processed: threading.Event = field(default_factory=threading.Event)

    def info(self) -> dict[str, Any]:
        """The job info JSON (``GET jobs/query/{id}``)."""
        done = self.state == "JobComplete"
        body = {
            "id": self.id,
            "operation": self.operation,
            "object": self.object,
            "createdById": make_id("005", 1),
            "createdDate": wire(self.created),
            "systemModstamp": wire(self.created),
            "state": self.state,
            "concurrencyMode": "Parallel",
            "contentType": "CSV",
            "apiVersion": float(self.version),
            "jobType": "V2Query",
            "lineEnding": "LF",
            "columnDelimiter": "COMMA",
            "numberRecordsProcessed": len(self.rows) if done else 0,
            "retries": 0,
            "totalProcessingTime": 0,
        }
        if self.state == "Failed":
            body["errorMessage"] = self.error or "the query failed"
        return body

    def advance(self, late: bool) -> None:
        """One poll's step: InProgress, then JobComplete (or Failed) once processed."""
        self.polls += 1
        if not self.processed.is_set():
            self.state = "InProgress"
        elif self.error is not None:
            self.state = "Failed"
        else:
            self.state = "JobComplete" if self.polls >= 2 or late else "InProgress"


def _cell(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if kind == "datetime":
        return bulk_datetime(value)
    return str(value)


class BulkJobs:
    """The query jobs of the org."""

    def __init__(self, now: Callable[[], datetime], lock: threading.RLock) -> None:
        self._now = now
        self._lock = lock  # the emulator's: processing reads rows other requests write
        self.jobs: dict[str, Job] = {}

    def create(self, plan: Plan, rows: Sequence[Row], operation: str, version: str) -> Job:
        """A new job for ``plan`` over ``rows``, processed in a background thread."""
        job = Job(
            id=make_id("750", len(self.jobs) + 1),
            operation=operation,
            object=plan.entity.name,
            version=version,
            created=self._now(),
            header=[f.name for f in plan.fields],
            kinds=[f.type for f in plan.fields],
        )
        self.jobs[job.id] = job
        threading.Thread(
            target=self._process, args=(job, plan, rows), daemon=True, name=f"bulk-{job.id}"
        ).start()
        return job

    def _process(self, job: Job, plan: Plan, rows: Sequence[Row]) -> None:
        names = plan.needed()
        position = {name: index for index, name in enumerate(names)}
        kept: list[Values] = []
        try:
            for start in range(0, len(rows), CHUNK_ROWS):
                with self._lock:
                    kept.extend(
                        tuple(plan.value(row, name) for name in names)
                        for row in rows[start : start + CHUNK_ROWS]
                        if plan.predicate(row)
                    )
                time.sleep(YIELD_SECONDS)  # the lock is not fair: let waiting requests in
            job.rows = plan.arrange(kept, lambda values, name: values[position[name]])
        except Exception as exc:  # an emulator bug fails the job, as Salesforce would
            log.exception("Bulk query job %s failed", job.id)
            job.error = f"{type(exc).__name__}: {exc}"
        finally:
            job.processed.set()

    def settle(self, job_id: str) -> None:
        """Wait a little for a job's processing (call without holding the emulator lock)."""
        job = self.jobs.get(job_id)
        if job is not None:
            job.processed.wait(SETTLE_SECONDS)

    def poll(self, job_id: str) -> Response:
        """``GET jobs/query/{id}``: the job info, advancing its state one step."""
        job = self.jobs.get(job_id)
        if job is None:
            return Response.json(NOT_FOUND, 404)
        if job.state not in TERMINAL:
            job.advance(self._now() - job.created >= COMPLETES_AFTER)
        return Response.json(job.info())

    def results(
        self, job_id: str, version: str, locator: str | None, max_records: str | None
    ) -> Response:
        """``GET jobs/query/{id}/results``: one CSV chunk and the next locator."""
        job = self.jobs.get(job_id)
        if job is None:
            return Response.json(NOT_FOUND, 404)
        if job.version != version:
            return Response.json(
                [
                    {
                        "errorCode": "INVALIDJOB",
                        "message": "Results must be requested with the job's API version",
                    }
                ],
                409,
            )
        if job.state != "JobComplete":
            return Response.json(
                [{"errorCode": "JOB_NOT_COMPLETE", "message": "Job is not complete"}], 412
            )
        try:
            padded = (locator or "") + "=" * (-len(locator or "") % 4)
            start = int(base64.b64decode(padded).decode()) if locator else 0
            size = int(max_records) if max_records else len(job.rows) or 1
        except ValueError:
            return Response.json(
                [{"errorCode": "INVALID_LOCATOR", "message": "Invalid locator or maxRecords"}], 400
            )
        chunk = job.rows[start : start + max(size, 1)]
        end = start + len(chunk)
        following = base64.b64encode(str(end).encode()).decode().rstrip("=")
        return Response(
            200,
            _csv(job, chunk),
            {
                "Content-Type": "text/csv",
                "Sforce-NumberOfRecords": str(len(chunk)),
                "Sforce-Locator": following if end < len(job.rows) else "null",
            },
        )


def _csv(job: Job, chunk: list[Values]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(job.header)
    kinds = job.kinds
    writer.writerows(
        [_cell(value, kind) for value, kind in zip(values, kinds, strict=False)] for values in chunk
    )
    return buffer.getvalue().encode()
