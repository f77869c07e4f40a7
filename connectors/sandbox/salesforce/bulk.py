"""Bulk API 2.0 query jobs: create, poll (UploadComplete -> InProgress -> JobComplete), results.

Results are the query's rows at job creation, served as CSV chunks with every value quoted,
``Sforce-NumberOfRecords`` and ``Sforce-Locator`` (the literal ``null`` after the last chunk),
as crm-api-facts.md section 1.4 describes. A job completes after two polls or two seconds.
"""

from __future__ import annotations

import base64
import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from connectors.sandbox.salesforce.query import Plan, Row
from connectors.sandbox.salesforce.values import bulk_datetime, make_id, wire
from connectors.sandbox.server import Response

TERMINAL = ("JobComplete", "Failed", "Aborted")
COMPLETES_AFTER = timedelta(seconds=2)
NOT_FOUND = [{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}]


@dataclass
class Job:
    id: str
    operation: str
    object: str
    version: str
    created: datetime
    header: list[str]
    rows: list[list[str]]
    state: str = "UploadComplete"
    polls: int = 0

    def info(self) -> dict[str, Any]:
        """The job info JSON (``GET jobs/query/{id}``)."""
        done = self.state == "JobComplete"
        return {
            "id": self.id, "operation": self.operation, "object": self.object,
            "createdById": make_id("005", 1), "createdDate": wire(self.created),
            "systemModstamp": wire(self.created), "state": self.state,
            "concurrencyMode": "Parallel", "contentType": "CSV",
            "apiVersion": float(self.version), "jobType": "V2Query", "lineEnding": "LF",
            "columnDelimiter": "COMMA", "numberRecordsProcessed": len(self.rows) if done else 0,
            "retries": 0, "totalProcessingTime": 0,
        }


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

    def __init__(self, now: Callable[[], datetime]) -> None:
        self._now = now
        self.jobs: dict[str, Job] = {}

    def create(self, plan: Plan, rows: Iterable[Row], operation: str, version: str) -> Job:
        """A new job holding the CSV rows of ``plan`` run over ``rows``."""
        fields = plan.fields
        table = [[_cell(row.get(f.name), f.type) for f in fields] for row in plan.run(rows)]
        job = Job(id=make_id("750", len(self.jobs) + 1), operation=operation,
                  object=plan.entity.name, version=version, created=self._now(),
                  header=[f.name for f in fields], rows=table)
        self.jobs[job.id] = job
        return job

    def poll(self, job_id: str) -> Response:
        """``GET jobs/query/{id}``: the job info, advancing its state one step."""
        job = self.jobs.get(job_id)
        if job is None:
            return Response.json(NOT_FOUND, 404)
        if job.state not in TERMINAL:
            job.polls += 1
            late = self._now() - job.created >= COMPLETES_AFTER
            job.state = "JobComplete" if job.polls >= 2 or late else "InProgress"
        return Response.json(job.info())

    def results(self, job_id: str, version: str, locator: str | None,
                max_records: str | None) -> Response:
        """``GET jobs/query/{id}/results``: one CSV chunk and the next locator."""
        job = self.jobs.get(job_id)
        if job is None:
            return Response.json(NOT_FOUND, 404)
        if job.version != version:
            return Response.json([{"errorCode": "INVALIDJOB", "message":
                                   "Results must be requested with the job's API version"}], 409)
        if job.state != "JobComplete":
            return Response.json([{"errorCode": "JOB_NOT_COMPLETE",
                                   "message": "Job is not complete"}], 412)
        try:
            padded = (locator or "") + "=" * (-len(locator or "") % 4)
            start = int(base64.b64decode(padded).decode()) if locator else 0
            size = int(max_records) if max_records else len(job.rows) or 1
        except ValueError:
            return Response.json([{"errorCode": "INVALID_LOCATOR",
                                   "message": "Invalid locator or maxRecords"}], 400)
        chunk = job.rows[start:start + max(size, 1)]
        end = start + len(chunk)
        following = base64.b64encode(str(end).encode()).decode().rstrip("=")
        return Response(200, _csv(job.header, chunk), {
            "Content-Type": "text/csv",
            "Sforce-NumberOfRecords": str(len(chunk)),
            "Sforce-Locator": following if end < len(job.rows) else "null",
        })


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode()
