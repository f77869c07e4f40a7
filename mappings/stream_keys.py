"""What a mapping says to read: the CRM object, its primary key and its replication key.

A mapping's ``object``, ``id_field`` and ``modstamp_field`` are the keys a stream declaration
is built from (:class:`StreamKeys`, on :attr:`SourceMapping.stream
<mappings.source_mapping.SourceMapping.stream>`). Each CRM's connector reads one object by
fixed keys today, so :data:`SUPPORTED` holds them and :func:`stream_issues` refuses a mapping
that names others, instead of loading it and reading something else without a word.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mappings.yamldoc import Document, Issue


@dataclass(frozen=True)
class StreamKeys:
    """One CRM object as a stream: its name, primary key and replication (modstamp) key."""

    object: str
    id_field: str
    modstamp_field: str


#: What each CRM's connector reads today.
#: Salesforce: Lead by Id and SystemModstamp, which moves on automated edits too
#: (https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/system_fields.htm).
#: HubSpot: contacts by hs_object_id and lastmodifieddate, the contacts' own modstamp name
#: (https://developers.hubspot.com/docs/methods/contacts/get_recently_updated_contacts).
SUPPORTED: dict[str, StreamKeys] = {
    "salesforce": StreamKeys("Lead", "Id", "SystemModstamp"),
    "hubspot": StreamKeys("contacts", "hs_object_id", "lastmodifieddate"),
}
_SAYS = {
    "object": "reads the object",
    "id_field": "identifies records by",
    "modstamp_field": "finds changes by",
}


def stream_issues(doc: Document, texts: dict[str, Any]) -> list[Issue]:
    """Problems with the mapping's ``crm`` and stream keys (``texts``: top key -> value)."""
    crm = texts.get("crm")
    if not isinstance(crm, str):
        return []  # reported as a missing or empty key
    supported = SUPPORTED.get(crm)
    if supported is None:
        return [doc.issue(("crm",), f"unknown CRM {crm!r} (known: {', '.join(SUPPORTED)})")]
    issues = []
    for key, says in _SAYS.items():
        value, wanted = texts.get(key), getattr(supported, key)
        if isinstance(value, str) and value != wanted:
            issues.append(
                doc.issue((key,), f"the {crm} connector {says} {wanted!r} only, not {value!r}")
            )
    return issues
