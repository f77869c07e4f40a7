"""A loaded mapping: one CRM object's fields and status vocabulary, as the engine reads them.

:class:`SourceMapping` is what :func:`mappings.loader.load_mapping` builds from a mapping file;
:func:`reason_catalogue` applies a mapping's own reason values to the catalogue. This package
imports nothing from ``sync``; :data:`CANONICAL_STATUSES` mirrors ``sync.domain.Status``
(a test keeps them equal).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from mappings.catalogue import Catalogue
from mappings.stream_keys import StreamKeys
from mappings.transforms import Transform

CANONICAL_STATUSES = ("new", "working", "nurture", "unqualified", "qualified", "converted")
#: canonical field -> kind; the kind's coercion runs after the mapping's own transforms
CANONICAL_FIELDS: dict[str, str] = {
    "status": "text",
    "nurture_reason": "text",
    "unqualified_reason": "text",
    "reason_detail": "text",
    "email": "text",
    "phone": "text",
    "company": "text",
    "industry": "text",
    "country": "text",
    "title": "text",
    "lead_source": "text",
    "campaign": "text",
    "score": "number",
    "wants_call": "boolean",
    "owner": "text",
    "created_at": "datetime",
    "status_changed_at": "datetime",
    "modified_at": "datetime",
    "converted_at": "datetime",
}


@dataclass(frozen=True)
class FieldMap:
    """The CRM field behind one canonical field, its transforms, and whether we may write it."""

    crm_field: str
    transforms: tuple[str, ...] = ()
    writable: bool = False
    #: compiled transforms plus the canonical kind's coercion, ready to run
    pipeline: tuple[Transform, ...] = field(default=(), compare=False, repr=False)


@dataclass(frozen=True)
class SourceMapping:
    """One CRM object mapped to the canonical lead. Build it with :func:`load_mapping`."""

    name: str
    crm: str
    object: str
    id_field: str
    modstamp_field: str
    fields: Mapping[str, FieldMap]
    statuses: Mapping[str, str]
    status_write_values: Mapping[str, str] = field(default_factory=dict)
    deleted_field: str | None = None
    merged_into_field: str | None = None
    converted_field: str | None = None
    converted_values: tuple[str, ...] = ()
    review_flag_field: str | None = None
    #: where review flags go: ``field`` (into ``review_flag_field``) or ``task`` (a task for
    #: the record's owner: a Salesforce Task, a HubSpot task associated with the contact)
    flag_channel: str = "field"
    #: this CRM's own picklist value -> reason code, overriding the catalogue's value
    reasons: Mapping[str, str] = field(default_factory=dict)
    source_path: Path | None = None
    _folded: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)

    @property
    def stream(self) -> StreamKeys:
        """The CRM object to read, by which primary key and modstamp: what a connector builds
        its stream declaration from (checked against the connector registry's streams
        when the mapping was loaded)."""
        return StreamKeys(self.object, self.id_field, self.modstamp_field)

    def crm_fields(self) -> tuple[str, ...]:
        """Every CRM field to read, in a stable order and without repeats."""
        names = [
            self.id_field,
            self.modstamp_field,
            self.deleted_field,
            self.merged_into_field,
            self.converted_field,
            self.review_flag_field,
            *(f.crm_field for f in self.fields.values()),
        ]
        return tuple(dict.fromkeys(n for n in names if n))

    @property
    def flags(self) -> bool:
        """Whether flag-mode policies have somewhere to write (a flag field, or tasks)."""
        return self.flag_channel == "task" or self.review_flag_field is not None

    def crm_field(self, canonical: str) -> str:
        """The CRM field behind ``canonical``. Raises KeyError when it is not mapped."""
        if canonical == "review_flag" and self.review_flag_field:
            return self.review_flag_field
        return self.fields[canonical].crm_field

    def status_of(self, value: str | None) -> str | None:
        """The canonical status of a CRM status value (exact, then case-insensitive), or None."""
        if value is None:
            return None
        return self.statuses.get(value) or self._folded.get(str(value).strip().casefold())


def reason_catalogue(mapping: SourceMapping, catalogue: Catalogue) -> Catalogue:
    """``catalogue`` with the mapping's own reason values (its ``reasons:`` section) as the
    values of their codes for the mapping's CRM: what policies read and write for it."""
    if not mapping.reasons:
        return catalogue
    reasons = dict(catalogue.reasons)
    for value, code in mapping.reasons.items():
        reason = reasons[code]
        reasons[code] = dataclasses.replace(reason, values={**reason.values, mapping.crm: value})
    return Catalogue(reasons=reasons, legacy=catalogue.legacy)
