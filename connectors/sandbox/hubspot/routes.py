"""Which area a HubSpot URL belongs to and the operation name used for counts and faults.

Operation names: contacts_list, contacts_get, contacts_create, contacts_update (also merge),
contacts_archive, batch_read, batch_create, batch_update, batch_upsert, batch_archive (contact
batches), search (every object type), properties_read, properties_write, schemas, objects
(custom-object calls other than search), unknown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import unquote

OBJECTS = "/crm/v3/objects/"
PROPERTIES = "/crm/v3/properties/"
SCHEMA_PREFIXES = ("/crm-object-schemas/v3/schemas", "/crm/v3/schemas")


@dataclass(frozen=True)
class Route:
    area: str  # objects | properties | schemas | unknown
    operation: str
    object_type: str = ""
    rest: list[str] = field(default_factory=list)


def _segments(path: str, prefix: str) -> list[str]:
    # the shared server hands over the raw path; ids such as emails arrive percent-encoded
    return [unquote(part) for part in path[len(prefix) :].split("/") if part]


def route(method: str, path: str, is_contacts: Callable[[str], bool]) -> Route:
    """Classify a request path (``is_contacts`` tells whether an object type means contacts)."""
    for prefix in SCHEMA_PREFIXES:
        if path == prefix or path.startswith(prefix + "/"):
            return Route("schemas", "schemas", rest=_segments(path, prefix))
    if path.startswith(PROPERTIES):
        parts = _segments(path, PROPERTIES)
        if parts:
            op = "properties_read" if method == "GET" else "properties_write"
            return Route("properties", op, parts[0], parts[1:])
    if path.startswith(OBJECTS):
        parts = _segments(path, OBJECTS)
        if parts:
            op = _object_operation(method, parts[1:]) if is_contacts(parts[0]) else "objects"
            if parts[1:2] == ["search"]:
                op = "search"
            return Route("objects", op, parts[0], parts[1:])
    return Route("unknown", "unknown")


def _object_operation(method: str, rest: list[str]) -> str:
    if not rest:
        return "contacts_list" if method == "GET" else "contacts_create"
    if rest[0] == "batch" and len(rest) == 2:
        return f"batch_{rest[1]}"
    if rest[0] == "merge":
        return "contacts_update"
    return {"PATCH": "contacts_update", "DELETE": "contacts_archive"}.get(method, "contacts_get")
