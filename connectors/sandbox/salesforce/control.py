"""Emulator-side actions: human edits, hooks between requests, conversions, merges, deletes.

Each action is a method (for tests in the same process) and a ``/__sandbox__/`` control
endpoint (for tests and demos in another process):

=========================  ======  ===========================================  =================
endpoint                   method  body                                         answer
=========================  ======  ===========================================  =================
/__sandbox__/edit          POST    {"id": "00Q...", "fields": {"Status": ...}}  the stored row
/__sandbox__/automation    POST    {"id": "00Q...", "fields": {...}}            the stored row
/__sandbox__/convert       POST    {"id": "00Q..."}                             the stored row
/__sandbox__/delete        POST    {"id": "00Q..."}                             the stored row
/__sandbox__/merge         POST    {"master": "00Q...", "loser": "00Q..."}      the master row
/__sandbox__/expire_sessions POST  -                                            {"expired": n}
/__sandbox__/session       POST    -                                            {"session_id": s}
/__sandbox__/lead/{id}     GET     -                                            the stored row
/__sandbox__/leads         GET     -                                            every stored row
/__sandbox__/scenarios     GET     -                                            {id: scenario}
/__sandbox__/tasks         GET     -                                            every Task row
=========================  ======  ===========================================  =================
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from connectors.sandbox.salesforce.fields import Entity, Field
from connectors.sandbox.salesforce.schema import AUTOMATION_USER, REP_USER
from connectors.sandbox.salesforce.seed import Shape, bulk_rows
from connectors.sandbox.salesforce.store import LeadStore, Row, TaskStore
from connectors.sandbox.salesforce.values import day, make_id, wire
from connectors.sandbox.server import Request, Response

Hook = Callable[[Any], object]  # what a hook returns is ignored


class ControlMixin:
    """Actions a person or an automation would take in the org, outside the API user."""

    store: LeadStore
    tasks: TaskStore
    lead_entity: Entity
    lock: threading.RLock
    sessions: Any
    shape: Shape
    _hooks: list[tuple[str, Hook]]

    def now(self) -> datetime:
        raise NotImplementedError

    def human_edit(self, lead_id: str, fields: dict[str, Any], by: str = REP_USER) -> Row:
        """Change a lead as a sales rep in the UI would; stamps move even when nothing changes.

        Values are stored as given (datetimes may be aware ``datetime`` objects), without the
        API's picklist and type checks: tests use it to plant data the API would refuse.
        ``LastModifiedById`` becomes ``by`` (a rep, not the API user).
        """
        changes: dict[str, Any] = {}
        for name, value in fields.items():
            field = self.lead_entity.field(name)
            if field is None:
                raise ValueError(f"lead {lead_id}: no field {name!r} on Lead")
            if isinstance(value, datetime):
                value = wire(value) if field.type == "datetime" else day(value)
            changes[field.name] = value
        with self.lock:
            row = self.store.require(lead_id)
            self.store.update(row, changes, self.now(), by)
            return dict(row)

    def automation_edit(self, lead_id: str, fields: dict[str, Any]) -> Row:
        """Change a lead as the marketing-automation sync user would (see :meth:`human_edit`)."""
        return self.human_edit(lead_id, fields, by=AUTOMATION_USER)

    def redefine_lead_field(self, field: Field) -> None:
        """An admin changes a Lead field's type (or adds a field) in Setup: describe, queries
        and writes follow at once; stored values of a new checkbox read unchecked."""
        with self.lock:
            self.lead_entity.redefine(field)
            if field.type == "boolean":
                for row in self.store.all():
                    row[field.name] = bool(row.get(field.name))

    def before_next(self, op: str, callback: Hook) -> None:
        """Run ``callback(emulator)`` once, just before the next request of operation ``op``.

        The callback runs when the request is handled; a request answered by an injected fault
        is not handled, so the callback waits for the next one.
        """
        with self.lock:
            self._hooks.append((op, callback))

    def expire_sessions(self) -> int:
        """Invalidate every issued session id (clients then get INVALID_SESSION_ID)."""
        with self.lock:
            return int(self.sessions.expire_all())

    def set_session_timeout(self, timeout: timedelta | None) -> None:
        """An admin sets the org's session timeout (Setup > Session Settings; None: sessions
        never time out, as with the ``session_timeout`` quirk off)."""
        with self.lock:
            self.sessions.timeout = timeout

    def issue_session(self) -> str:
        """A valid session id, for clients built with ``session_id=`` only."""
        with self.lock:
            return str(self.sessions.issue())

    def convert(self, lead_id: str) -> Row:
        """Convert a lead (IsConverted, ConvertedDate, Status "Closed - Converted")."""
        with self.lock:
            converted = sum(1 for row in self.store.all() if row["IsConverted"])
            contact = make_id("003", converted + 1, pod="Dn1")
            return dict(self.store.convert(lead_id, self.now(), contact, REP_USER))

    def merge(self, master_id: str, loser_id: str) -> Row:
        """Merge ``loser`` into ``master``: loser deleted, its MasterRecordId set."""
        with self.lock:
            return dict(self.store.merge(master_id, loser_id, self.now(), REP_USER))

    def delete(self, lead_id: str) -> Row:
        """Delete a lead to the recycle bin (visible to queryAll and getDeleted)."""
        with self.lock:
            return dict(self.store.delete(lead_id, self.now(), REP_USER))

    def add_leads(self, count: int) -> None:
        """Append ``count`` plain leads quickly (100,000 take a second or two)."""
        with self.lock:
            bulk_rows(self.store, count, self.shape)

    def scenario_of(self, lead_id: str) -> str:
        """The seed scenario of a lead (an emulator-only note, see :mod:`.seed`)."""
        with self.lock:
            return self.store.scenarios[self.store.require(lead_id)["Id"]]

    def record(self, lead_id: str) -> Row:
        """A copy of the stored row of a lead, deleted or not."""
        with self.lock:
            return dict(self.store.require(lead_id))

    def records(self) -> list[Row]:
        """Copies of every stored lead row, in creation order."""
        with self.lock:
            return [dict(row) for row in self.store.all()]

    def task_records(self) -> list[Row]:
        """Copies of every stored Task row, in creation order."""
        with self.lock:
            return [dict(row) for row in self.tasks.all()]

    def control_extra(self, action: str, request: Request) -> Response:
        """The ``/__sandbox__/`` actions of this emulator (see the module table)."""
        try:
            return self._control(action, request)
        except KeyError as exc:
            return Response.json({"error": str(exc)}, 404)
        except (ValueError, TypeError) as exc:
            return Response.json({"error": str(exc)}, 400)

    def _control(self, action: str, request: Request) -> Response:
        body = request.json() if request.method == "POST" and request.body else {}
        posts: dict[str, Callable[[], Any]] = {
            "edit": lambda: self.human_edit(body["id"], body["fields"]),
            "automation": lambda: self.automation_edit(body["id"], body["fields"]),
            "convert": lambda: self.convert(body["id"]),
            "delete": lambda: self.delete(body["id"]),
            "merge": lambda: self.merge(body["master"], body["loser"]),
            "expire_sessions": lambda: {"expired": self.expire_sessions()},
            "session": lambda: {"session_id": self.issue_session()},
        }
        if request.method == "POST" and action in posts:
            return Response.json(posts[action]())
        if request.method == "GET" and action.startswith("lead/"):
            return Response.json(self.record(action.removeprefix("lead/")))
        if request.method == "GET" and action == "leads":
            return Response.json(self.records())
        if request.method == "GET" and action == "tasks":
            return Response.json(self.task_records())
        if request.method == "GET" and action == "scenarios":
            with self.lock:
                return Response.json(dict(self.store.scenarios))
        return Response.json({"error": f"unknown control action {action!r}"}, 404)
