"""Record operations of the emulator: sObject Rows (GET, PATCH), create (POST) and Collections.

A single-record PATCH honours ``If-Unmodified-Since`` (an HTTP date): when the record's
LastModifiedDate is later the request is not processed and answers 412; a value that is not an
HTTP date answers 400.
https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/intro_rest_conditional_requests.htm
The documentation gives no body for either; the emulator answers with the usual JSON error
array.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

from connectors.sandbox.salesforce.quirks import Quirks
from connectors.sandbox.salesforce.routes import Route
from connectors.sandbox.salesforce.store import Row
from connectors.sandbox.salesforce.validation import (
    RequestError,
    Rules,
    state_error,
    unknown_field,
    validate,
)
from connectors.sandbox.salesforce.values import parse_wire
from connectors.sandbox.salesforce.writes import (
    SObject,
    Writer,
    create_collection,
    create_one,
    update_collection,
)
from connectors.sandbox.server import Request, Response

NOT_FOUND = [{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}]


class RecordsMixin:
    """The record-level ``_op_*`` handlers of :class:`~.app.SalesforceEmulator`."""

    objects: Mapping[str, SObject]
    rules: Rules
    quirks: Quirks
    api_user: str

    def now(self) -> datetime:
        raise NotImplementedError

    def writer(self) -> Writer:
        """The context of an API write made now by the API user."""
        return Writer(self.objects, self.rules, self.now(), self.api_user)

    def _record(self, target: Route) -> tuple[SObject, Row] | Response:
        obj = self.objects.get(target.parts[1].lower())
        row = obj.store.get(target.parts[2]) if obj is not None else None
        if obj is None or row is None:
            return Response.json(NOT_FOUND, 404)
        if row["IsDeleted"]:
            deleted = {"message": "entity is deleted", "errorCode": "ENTITY_IS_DELETED"}
            return Response.json([{**deleted, "fields": []}], 404)
        return obj, row

    def _op_sobject_get(self, target: Route, request: Request) -> Response:
        found = self._record(target)
        if isinstance(found, Response):
            return found
        obj, row = found
        wanted = request.arg("fields")
        names = [name.strip() for name in wanted.split(",")] if wanted else None
        entity = obj.entity
        fields = [entity.field(name) for name in names] if names else list(entity.fields)
        if any(field is None for field in fields):
            message = f"No such column {wanted!r} on sobject of type {entity.name}"
            return Response.json([{"message": message, "errorCode": "INVALID_FIELD"}], 400)
        url = f"/services/data/v{target.version}/sobjects/{entity.name}/{row['Id']}"
        record: dict[str, Any] = {"attributes": {"type": entity.name, "url": url}}
        record.update({field.name: row.get(field.name) for field in fields if field is not None})
        return Response.json(record)

    def _op_sobject_patch(self, target: Route, request: Request) -> Response:
        found = self._record(target)
        if isinstance(found, Response):
            return found
        obj, row = found
        body = request.json()
        if not isinstance(body, dict):
            raise RequestError(400, "JSON_PARSER_ERROR", "Expected a JSON object")
        unknown_field(obj.entity, body)
        refused = self._precondition(request, row)
        if refused is not None:
            return refused
        writer = self.writer()
        problem = state_error(row)
        changes, errors = validate(obj.entity, row, body, self.rules, writer.lookup())
        errors = [problem] if problem else errors
        if errors:
            return Response.json(
                [
                    {"message": e["message"], "errorCode": e["statusCode"], "fields": e["fields"]}
                    for e in errors
                ],
                400,
            )
        obj.store.update(row, changes, writer.at, writer.by)
        return Response(204)

    def _precondition(self, request: Request, row: Row) -> Response | None:
        """412 when ``If-Unmodified-Since`` is before the record's LastModifiedDate."""
        header = request.headers.get("if-unmodified-since")
        if header is None or not self.quirks.on("if_unmodified_since"):
            return None
        try:
            since = parsedate_to_datetime(header)
        except (TypeError, ValueError):
            since = None
        if since is None or since.tzinfo is None:
            message = f"If-Unmodified-Since: {header!r} is not an HTTP date"
            return Response.json([{"message": message, "errorCode": "MALFORMED_HEADER"}], 400)
        if parse_wire(row["LastModifiedDate"]) <= since:
            return None
        message = (
            "The requested resource has been modified since the date in If-Unmodified-Since "
            f"(LastModifiedDate {row['LastModifiedDate']})"
        )
        return Response.json([{"message": message, "errorCode": "PRECONDITION_FAILED"}], 412)

    def _op_sobject_create(self, target: Route, request: Request) -> Response:
        return Response.json(create_one(self.writer(), target.parts[1], request.json()), 201)

    def _op_composite(self, target: Route, request: Request) -> Response:
        return Response.json(update_collection(self.writer(), request.json()))

    def _op_composite_create(self, target: Route, request: Request) -> Response:
        return Response.json(create_collection(self.writer(), request.json()))
