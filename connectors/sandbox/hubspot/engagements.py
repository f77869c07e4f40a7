"""Tasks and notes: the engagement objects a "flag channel" writes for a contact's owner.

From the tasks guide (https://developers.hubspot.com/docs/api-reference/legacy/crm/activities/
tasks/guide): ``POST /crm/v3/objects/tasks`` with ``hs_timestamp`` required (the due date,
epoch millis or ISO), ``hs_task_subject``, ``hs_task_body``, ``hubspot_owner_id``,
``hs_task_status`` (the guide names COMPLETED and NOT_STARTED and uses WAITING in its example;
IN_PROGRESS and DEFERRED are the portal's other default options), ``hs_task_priority`` (LOW,
MEDIUM, HIGH), ``hs_task_type`` (EMAIL, CALL, TODO); updates "ignore values for read-only and
non-existent properties". Notes (https://developers.hubspot.com/docs/api-reference/legacy/crm/
activities/notes/guide) need ``hs_timestamp`` and carry ``hs_note_body``. Search returns
``hs_createdate, hs_lastmodifieddate, hs_object_id`` by default (search-the-crm, Engagements).
"""

from __future__ import annotations

from connectors.sandbox.hubspot.defaults import OWNERS, options
from connectors.sandbox.hubspot.properties import PropertyDef, PropertyRegistry
from connectors.sandbox.hubspot.store import ObjectKind, ObjectStore

TASK_STATUSES = ("NOT_STARTED", "IN_PROGRESS", "WAITING", "COMPLETED", "DEFERRED")
TASK_PRIORITIES = ("LOW", "MEDIUM", "HIGH")
TASK_TYPES = ("EMAIL", "CALL", "TODO")
SYSTEM = ("hs_createdate", "hs_lastmodifieddate", "hs_object_id")

TASK_KIND = ObjectKind(
    "0-27",
    "TASK",
    "hs_createdate",
    ("hs_lastmodifieddate",),
    SYSTEM,
    first_id=71_000_001,
    names=("0-27", "tasks", "task"),
    required=("hs_timestamp",),
    lenient_update=True,
)
NOTE_KIND = ObjectKind(
    "0-46",
    "NOTE",
    "hs_createdate",
    ("hs_lastmodifieddate",),
    SYSTEM,
    first_id=81_000_001,
    names=("0-46", "notes", "note"),
    required=("hs_timestamp",),
    lenient_update=True,
)


def _system(group: str) -> list[PropertyDef]:
    def stamp(name: str, label: str, read_only: bool = True) -> PropertyDef:
        return PropertyDef(
            name, label, "datetime", "date", group, read_only=read_only, hubspot_defined=True
        )

    owner = PropertyDef(
        "hubspot_owner_id",
        "Activity assigned to",
        "enumeration",
        "select",
        group,
        options=options(tuple(OWNERS), OWNERS),
        hubspot_defined=True,
    )
    record_id = PropertyDef(
        "hs_object_id", "Record ID", "number", "number", group, read_only=True, hubspot_defined=True
    )
    return [
        record_id,
        stamp("hs_createdate", "Create date"),
        stamp("hs_lastmodifieddate", "Last modified date"),
        stamp("hs_timestamp", "Activity date", read_only=False),
        owner,
    ]


def _text(name: str, label: str, group: str, field_type: str = "text") -> PropertyDef:
    return PropertyDef(name, label, field_type=field_type, group_name=group, hubspot_defined=True)


def _enum(name: str, label: str, values: tuple[str, ...], group: str) -> PropertyDef:
    return PropertyDef(
        name, label, "enumeration", "select", group, options=options(values), hubspot_defined=True
    )


def task_store() -> ObjectStore:
    """An empty store of tasks with their default properties."""
    group = "taskinformation"
    defs = [
        *_system(group),
        _text("hs_task_subject", "Task Title", group),
        _text("hs_task_body", "Notes", group, "textarea"),
        _enum("hs_task_status", "Task Status", TASK_STATUSES, group),
        _enum("hs_task_priority", "Priority", TASK_PRIORITIES, group),
        _enum("hs_task_type", "Task Type", TASK_TYPES, group),
    ]
    groups = [{"name": group, "label": "Task information", "displayOrder": 0, "archived": False}]
    return ObjectStore(TASK_KIND, PropertyRegistry("TASK", defs, groups))


def note_store() -> ObjectStore:
    """An empty store of notes with their default properties."""
    group = "engagement"
    defs = [*_system(group), _text("hs_note_body", "Note body", group, "textarea")]
    groups = [{"name": group, "label": "Engagement", "displayOrder": 0, "archived": False}]
    return ObjectStore(NOTE_KIND, PropertyRegistry("NOTE", defs, groups))
