"""The read-side ``_op_*`` handlers of :class:`~.app.SalesforceEmulator`: SOQL query and
queryAll with locators, describe, getDeleted/getUpdated, resources, limits, Bulk API 2.0 jobs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from connectors.sandbox.salesforce.bulk import BulkJobs
from connectors.sandbox.salesforce.fields import Entity
from connectors.sandbox.salesforce.query import Plan, compile_query
from connectors.sandbox.salesforce.quirks import Quirks
from connectors.sandbox.salesforce.records import NOT_FOUND
from connectors.sandbox.salesforce.rest import (
    Cursors,
    batch_size,
    invalid_locator,
    limits,
    replication,
)
from connectors.sandbox.salesforce.routes import Route
from connectors.sandbox.salesforce.schema import USERS
from connectors.sandbox.salesforce.soql import parse
from connectors.sandbox.salesforce.store import LeadStore, Row
from connectors.sandbox.salesforce.validation import RequestError
from connectors.sandbox.salesforce.writes import SObject
from connectors.sandbox.server import Request, Response

#: child rows one subquery answer nests before its ``nextRecordsUrl``: the documentation
#: says nested results page like any query result but gives no figure; the emulator pages
#: small so that a client reading only the first nested page is caught
CHILD_BATCH = 200


class ReadsMixin:
    """Queries, describes, replication, limits and Bulk 2.0 jobs (module docstring)."""

    objects: Mapping[str, SObject]
    entities: Mapping[str, Entity]
    quirks: Quirks
    store: LeadStore
    lead_statuses: list[Row]
    cursors: Cursors
    bulk: BulkJobs
    api_used: int
    daily_limit: int

    def now(self) -> datetime:
        raise NotImplementedError

    def _plan(self, soql: str | None) -> Plan:
        if not soql:
            raise RequestError(400, "MALFORMED_QUERY", "A query string is required (q=)")
        whole = self.quirks.on("whole_second_stamps")
        return compile_query(parse(soql), self.entities, USERS, whole)

    def _rows(self, plan: Plan, include_deleted: bool) -> list[Row]:
        if plan.entity.name == "LeadStatus":
            return self.lead_statuses
        if plan.ids is not None:  # the predicate still runs on these: they are candidates
            return self.objects[plan.entity.name.lower()].store.by_ids(plan.ids, include_deleted)
        return self._every_row(plan.entity.name, include_deleted)

    def _op_query(self, target: Route, request: Request) -> Response:
        plan = self._plan(request.arg("q"))
        every = target.parts[0] == "queryAll"
        matched = plan.run(self._rows(plan, every))
        if plan.count:
            return Response.json({"totalSize": len(matched), "done": True, "records": []})
        records = self._records(plan, matched, target.version, every)
        return Response.json(self.cursors.first_page(target.version, records, batch_size(request)))

    def _records(
        self, plan: Plan, matched: Sequence[Mapping[str, Any]], version: str, every: bool
    ) -> list[dict[str, Any]]:
        """The matched rows as REST returns them; a subquery answers per parent None (no
        child rows) or a query result of its own, paged like one (``nextRecordsUrl``).
        https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_relationships_query_results.htm"""
        if not plan.children:
            return [plan.project(row, version) for row in matched]
        candidates = {
            child.sobject: self._every_row(child.sobject, every) for child, _ in plan.children
        }
        grouped = plan.nest(matched, candidates)
        nested = {
            child.name: {
                parent: self.cursors.first_page(
                    version, [sub.project(row, version) for row in rows], CHILD_BATCH
                )
                for parent, rows in grouped[child.name].items()
                if rows
            }
            for child, sub in plan.children
        }
        return [plan.project(row, version, nested) for row in matched]

    def _every_row(self, sobject: str, every: bool) -> list[Row]:
        store = self.objects[sobject.lower()].store
        return list(store.all() if every else store.live())

    def _op_query_more(self, target: Route, request: Request) -> Response:
        page = self.cursors.next_page(target.parts[1])
        return invalid_locator() if page is None else Response.json(page)

    def _op_describe(self, target: Route, request: Request) -> Response:
        entity = self.entities.get(target.parts[1].lower())
        if entity is None:
            return Response.json(NOT_FOUND, 404)
        return Response.json(entity.describe(target.version))

    def _op_deleted(self, target: Route, request: Request) -> Response:
        return self._replication(target, request, "deleted")

    def _op_updated(self, target: Route, request: Request) -> Response:
        return self._replication(target, request, "updated")

    def _replication(self, target: Route, request: Request, kind: str) -> Response:
        if target.parts[1].lower() != "lead":  # the emulator logs Lead changes only
            return Response.json(NOT_FOUND, 404)
        strict = self.quirks.on("replication_window")
        return replication(self.store, request, kind, self.now(), strict)

    def _op_resources(self, target: Route, request: Request) -> Response:
        base = f"/services/data/v{target.version}"
        return Response.json(
            {
                name: f"{base}/{name}"
                for name in ("sobjects", "query", "queryAll", "limits", "composite", "jobs")
            }
        )

    def _op_limits(self, target: Route, request: Request) -> Response:
        return Response.json(limits(self.api_used, self.daily_limit, len(self.bulk.jobs)))

    def _op_bulk_create(self, target: Route, request: Request) -> Response:
        body = request.json()
        operation = body.get("operation") if isinstance(body, dict) else None
        if operation not in ("query", "queryAll"):
            raise RequestError(400, "INVALIDJOB", f"Unsupported operation: {operation!r}")
        plan = self._plan(body.get("query"))
        if plan.count:
            raise RequestError(400, "INVALIDJOB", "COUNT() is not supported by Bulk API query")
        if plan.children:  # https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/queries.htm
            raise RequestError(400, "INVALIDJOB", "Nested queries are not supported by Bulk API")
        rows = self._rows(plan, operation == "queryAll")
        job = self.bulk.create(plan, rows, operation, target.version)
        return Response.json(job.info())

    def _op_bulk_poll(self, target: Route, request: Request) -> Response:
        return self.bulk.poll(target.parts[2])

    def _op_bulk_results(self, target: Route, request: Request) -> Response:
        return self.bulk.results(
            target.parts[2], target.version, request.arg("locator"), request.arg("maxRecords")
        )
