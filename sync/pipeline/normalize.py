"""Normalize: one CRM record + its mapping -> a canonical :class:`~sync.domain.Lead`.

Bad data never raises: a value a transform cannot read becomes None and a :class:`Problem`
(field, short preview, message); an unknown status leaves ``status`` None with ``raw_status``
kept; text longer than :data:`MAX_TEXT` characters is cut and reported; half a surrogate pair
or a NUL character anywhere in the payload becomes U+FFFD and is reported per CRM field
(:mod:`.clean`). The CRM payload is kept whole (so cleaned) in ``Lead.raw``.

What an admin must see besides: a live lead without a status (no policy can judge it), and a
date before 1900 or more than a day after ``now`` in any date field. Such a date is not used
where leadloop counts time from it (``created_at``, ``status_changed_at``); ``converted_at``
keeps it (it only guards writes: a converted lead is never written) and so does
``modified_at`` (the CRM's own stamp).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from connectors.base import SourceRecord
from mappings.loader import SourceMapping
from mappings.transforms import Context, TransformProblem, region_for_country
from sync.domain import Lead, Status
from sync.pipeline.clean import REPLACEMENT, clean_payload

#: characters kept per canonical text field (Salesforce long text areas hold up to 131,072)
MAX_TEXT = 10_000
#: characters of a bad value shown in a problem
PREVIEW = 40
_STATUSES = {status.value: status for status in Status}
#: dates before this are typos or placeholders (0001-01-01, 1800-...): no lead is that old
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
#: a date later than now by more than this is in the future (a day covers time zones)
FUTURE_SLACK = timedelta(days=1)
#: date fields that keep an implausible value, and why (the others drop it)
KEPT_DATES = {
    "converted_at": "kept (it only guards writes)",
    "modified_at": "kept (the CRM's own modification stamp)",
}


@dataclass(frozen=True)
class Problem:
    """A value that could not be used as is. ``value_preview`` is short and never a secret.

    ``field`` is the canonical field, or the CRM field when no canonical field reads it.
    """

    field: str
    value_preview: str
    message: str
    code: str = "bad_value"


@dataclass(frozen=True)
class Normalized:
    lead: Lead
    problems: list[Problem] = field(default_factory=list)


def preview(value: Any) -> str:
    """A short, single-line rendering of ``value`` for messages."""
    text = repr(value)
    return text if len(text) <= PREVIEW else f"{text[: PREVIEW - 1]}… ({len(text)} chars)"


def _convert(
    mapping: SourceMapping, raw: Mapping[str, Any], problems: list[Problem]
) -> dict[str, Any]:
    country = mapping.fields.get("country")
    region = region_for_country(str(raw.get(country.crm_field) or "") if country else None)
    context = Context(region)
    values: dict[str, Any] = {}
    for canonical, spec in mapping.fields.items():
        value = original = raw.get(spec.crm_field)
        if value is None:
            continue
        try:
            for transform in spec.pipeline:
                value = transform(value, context)
        except TransformProblem as problem:
            problems.append(Problem(canonical, preview(original), str(problem)))
            continue
        if isinstance(value, str) and len(value) > MAX_TEXT:
            problems.append(
                Problem(canonical, preview(value), f"longer than {MAX_TEXT} characters; cut")
            )
            value = value[:MAX_TEXT]
        values[canonical] = value
    return values


def _status(
    mapping: SourceMapping, raw: Mapping[str, Any], raw_status: str | None, problems: list[Problem]
) -> Status | None:
    if mapping.converted_field is not None:
        flag = raw.get(mapping.converted_field)
        if flag is not None and str(flag).lower() in mapping.converted_values:
            return Status.CONVERTED
    if raw_status is None or not raw_status.strip():
        return None
    canonical = mapping.status_of(raw_status)
    if canonical is None:
        problems.append(
            Problem("status", preview(raw_status), f"status value not in mapping {mapping.name!r}")
        )
        return None
    return _STATUSES[canonical]


def _plausible_dates(values: dict[str, Any], now: datetime | None, problems: list[Problem]) -> None:
    """Report (and, outside :data:`KEPT_DATES`, drop) dates before 1900 or in the future."""
    for name, value in list(values.items()):
        if not isinstance(value, datetime):
            continue
        if value < EARLIEST:
            why = "is before 1900"
        elif now is not None and value > now + FUTURE_SLACK:
            why = "is in the future"
        else:
            continue
        action = KEPT_DATES.get(name, "not used")
        message = f"{value.isoformat()} {why}: {action}"
        problems.append(Problem(name, preview(value.isoformat()), message, "implausible_date"))
        if name not in KEPT_DATES:
            del values[name]


def _missing_status(lead: Lead, problems: list[Problem]) -> None:
    """A live lead whose status is empty: every policy passes it by, so say so."""
    live = not (lead.is_deleted or lead.merged_into)
    if live and lead.status is None and not (lead.raw_status or "").strip():
        message = "the lead has no status: no policy can judge it"
        problems.append(Problem("status", preview(lead.raw_status), message, "missing_status"))


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _cleaned(
    mapping: SourceMapping, record: SourceRecord, problems: list[Problem]
) -> dict[str, Any]:
    """The record's fields storable (:mod:`.clean`), one problem per field that was not."""
    raw, dirty = clean_payload(record.fields)
    if not dirty:
        return raw
    canonical = {spec.crm_field: name for name, spec in mapping.fields.items()}
    for crm_field, kinds in sorted(dirty.items()):
        name = canonical.get(crm_field, crm_field)
        where = f" ({crm_field})"  # the CRM field, also when the finding names it as is
        problems.append(
            Problem(
                name,
                preview(record.fields.get(crm_field, raw[crm_field])),
                f"held {' and '.join(sorted(kinds))}{where}: stored with {REPLACEMENT} "
                "(U+FFFD) in its place",
                code="bad_characters",
            )
        )
    return raw


def normalize(
    source: str, mapping: SourceMapping, record: SourceRecord, now: datetime | None = None
) -> Normalized:
    """The canonical lead for ``record`` read from source ``source`` through ``mapping``;
    ``now`` (the run's clock) tells dates in the future, none are looked for without it."""
    problems: list[Problem] = []
    raw = _cleaned(mapping, record, problems)
    values = _convert(mapping, raw, problems)
    _plausible_dates(values, now, problems)
    raw_status = values.pop("status", None)
    status = _status(mapping, raw, raw_status, problems)
    values.setdefault("modified_at", record.modstamp)
    values["wants_call"] = bool(values.get("wants_call"))
    deleted_flag = raw.get(mapping.deleted_field) if mapping.deleted_field else None
    merged = raw.get(mapping.merged_into_field) if mapping.merged_into_field else None
    review = raw.get(mapping.review_flag_field) if mapping.review_flag_field else None
    rejected = {problem.field for problem in problems} - values.keys()
    lead = Lead(
        source=source,
        external_id=record.record_id,
        status=status,
        raw_status=raw_status,
        is_deleted=record.deleted or deleted_flag is True or str(deleted_flag).lower() == "true",
        merged_into=record.merged_into or _text(merged),
        review_flag=_text(review),
        email_invalid="email" in rejected,
        phone_invalid="phone" in rejected,
        raw=raw,  # a fresh copy already (clean_payload)
        **values,
    )
    _missing_status(lead, problems)
    return Normalized(lead, problems)


def to_crm_changes(mapping: SourceMapping, changes: Mapping[str, Any]) -> dict[str, Any]:
    """Canonical changes (field -> value, None clears) as CRM field -> value.

    ``status`` takes a canonical status and becomes the mapping's write value; ``review_flag``
    goes to the mapping's review-flag field; other fields must be mapped ``writable``.
    Raises ValueError for a field or status the mapping cannot write (a programming error).
    """
    result: dict[str, Any] = {}
    for canonical, value in changes.items():
        if canonical == "status":
            key = str(value) if value is not None else None
            if key is None or key not in mapping.status_write_values:
                raise ValueError(f"mapping {mapping.name!r} has no write value for status {key!r}")
            result[mapping.crm_field("status")] = mapping.status_write_values[key]
        elif canonical == "review_flag":
            if mapping.review_flag_field is None:
                raise ValueError(f"mapping {mapping.name!r} has no review_flag_field")
            result[mapping.review_flag_field] = value
        elif canonical in mapping.fields and mapping.fields[canonical].writable:
            result[mapping.fields[canonical].crm_field] = value
        else:
            raise ValueError(f"mapping {mapping.name!r} does not let leadloop write {canonical!r}")
    return result
