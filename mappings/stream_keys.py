"""What a mapping says to read: the CRM object, its primary key and its replication key.

A mapping's ``object``, ``id_field`` and ``modstamp_field`` are the keys a stream declaration
is built from (:class:`StreamKeys`, on :attr:`SourceMapping.stream
<mappings.source_mapping.SourceMapping.stream>`). Each CRM's connector reads one object by
fixed keys today; the connector registry says which (``connectors.registry.ConnectorType.
streams``) and :func:`stream_issues` refuses a mapping that names others, instead of loading
it and reading something else without a word.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from mappings.yamldoc import Document, Issue


@dataclass(frozen=True)
class StreamKeys:
    """One CRM object as a stream: its name, primary key and replication (modstamp) key."""

    object: str
    id_field: str
    modstamp_field: str


class Readable(Protocol):
    """A stream a connector can read (``connectors.registry.Stream`` has this shape)."""

    @property
    def object(self) -> str: ...
    @property
    def id_field(self) -> str: ...
    @property
    def modstamp_field(self) -> str: ...


#: per CRM (a mapping's ``crm``), the objects its connector reads, by object name
Supported = Mapping[str, Mapping[str, Readable]]


_SAYS = {
    "object": "reads the object",
    "id_field": "identifies records by",
    "modstamp_field": "finds changes by",
}


def stream_issues(doc: Document, texts: dict[str, Any], supported: Supported) -> list[Issue]:
    """Problems with the mapping's ``crm`` and stream keys (``texts``: top key -> value),
    against what the connectors read (``supported``)."""
    crm = texts.get("crm")
    if not isinstance(crm, str):
        return []  # reported as a missing or empty key
    objects = supported.get(crm)
    if objects is None:
        return [doc.issue(("crm",), f"unknown CRM {crm!r} (known: {', '.join(supported)})")]
    name = texts.get("object")
    known = isinstance(name, str) and name in objects
    stream = objects[name] if isinstance(name, str) and known else next(iter(objects.values()))
    issues = []
    for key, says in _SAYS.items():
        value, wanted = texts.get(key), getattr(stream, key)
        if key == "object" and not known and isinstance(value, str):
            names = ", ".join(repr(o) for o in objects)
            issues.append(
                doc.issue((key,), f"the {crm} connector {says} {names} only, not {value!r}")
            )
        elif key != "object" and isinstance(value, str) and value != wanted:
            issues.append(
                doc.issue((key,), f"the {crm} connector {says} {wanted!r} only, not {value!r}")
            )
    return issues
