"""Which operation a request performs: the one place that reads Salesforce URL shapes.

Operation names (used for call counts, fault plans and ``before_next`` hooks): ``login``,
``token``, ``query``, ``query_more``, ``describe``, ``composite`` (Collections PATCH),
``composite_create`` (Collections POST), ``sobject_get``, ``sobject_patch``,
``sobject_create`` (``POST sobjects/<Object>/``), ``deleted``, ``updated``, ``limits``,
``bulk_create``, ``bulk_poll``, ``bulk_results``, ``versions`` (``GET /services/data``),
``resources`` (``GET /services/data/vXX.X``); anything else is ``unknown`` (404).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from connectors.sandbox.server import Request

OPERATIONS = (
    "login",
    "token",
    "query",
    "query_more",
    "describe",
    "composite",
    "composite_create",
    "sobject_get",
    "sobject_patch",
    "sobject_create",
    "deleted",
    "updated",
    "limits",
    "bulk_create",
    "bulk_poll",
    "bulk_results",
    "versions",
    "resources",
)
_DATA = re.compile(r"^/services/data/v(?P<version>\d+\.\d)(?P<rest>/.*)?$")
_SOAP = re.compile(r"^/services/Soap/u/(?P<version>\d+\.\d)/?$")


@dataclass(frozen=True)
class Route:
    op: str
    version: str = ""
    parts: tuple[str, ...] = ()  # path segments after /services/data/vXX.X/


def route(request: Request) -> Route:
    """The operation of ``request`` and the path pieces its handler needs."""
    if request.path.rstrip("/") == "/services/oauth2/token" and request.method == "POST":
        return Route("token")
    if request.path.rstrip("/") == "/services/data" and request.method == "GET":
        return Route("versions")
    soap = _SOAP.match(request.path)
    if soap and request.method == "POST":
        return Route("login", soap["version"])
    data = _DATA.match(request.path)
    if data is None:
        return Route("unknown")
    parts = tuple(part for part in (data["rest"] or "").split("/") if part)
    return Route(_data_op(request.method, parts), data["version"], parts)


def _data_op(method: str, parts: tuple[str, ...]) -> str:
    head, size = (parts[0] if parts else ""), len(parts)
    if not parts and method == "GET":
        return "resources"
    if head in ("query", "queryAll") and method == "GET":
        return "query" if size == 1 else "query_more" if size == 2 else "unknown"
    if parts == ("limits",) and method == "GET":
        return "limits"
    if parts == ("composite", "sobjects") and method in ("PATCH", "POST"):
        return "composite" if method == "PATCH" else "composite_create"
    if head == "sobjects" and size == 2 and method == "POST":
        return "sobject_create"
    if head == "sobjects" and size == 3:
        return _sobject_op(method, parts[2])
    if head == "jobs" and size >= 2 and parts[1] == "query":
        return _bulk_op(method, size, parts[-1])
    return "unknown"


def _sobject_op(method: str, leaf: str) -> str:
    if leaf in ("describe", "deleted", "updated"):
        return leaf if method == "GET" else "unknown"
    return {"GET": "sobject_get", "PATCH": "sobject_patch"}.get(method, "unknown")


def _bulk_op(method: str, size: int, leaf: str) -> str:
    if size == 2 and method == "POST":
        return "bulk_create"
    if size == 3 and method == "GET":
        return "bulk_poll"
    if size == 4 and leaf == "results" and method == "GET":
        return "bulk_results"
    return "unknown"
