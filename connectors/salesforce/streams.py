"""The Lead stream: declared as data, read through REST SOQL (query / queryAll) page by page.

Incremental reads follow the airbyte/meltano pattern: a half-open window ``[start, end)`` over
``SystemModstamp`` fixed by the engine, ascending ``(SystemModstamp, Id)`` order, and a resume
cursor compared on the *pair*, never a strict ``>`` on the timestamp alone (that loses records
saved in the same second). SOQL is built with ``format_soql`` only (values are quoted there).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from simple_salesforce import Salesforce
from simple_salesforce.format import format_soql

from connectors.base import Cursor, MalformedAnswer, Page, SourceRecord, Window
from connectors.shapes import Shape, require

log = logging.getLogger(__name__)
T = TypeVar("T")

#: ``api(operation, fn)`` runs ``fn(client)`` under the retry policy and the call accounting.
Api = Callable[[str, Callable[[Salesforce], T]], T]

#: REST SOQL pages hold at most 2,000 records; an IN list of 200 ids stays well under the
#: 100,000-character SOQL limit and matches one Collections batch.
IDS_PER_QUERY = 200

#: fields every read needs, whatever the mapping says
SYSTEM_FIELDS = (
    "Id",
    "SystemModstamp",
    "IsDeleted",
    "MasterRecordId",
    "IsConverted",
    "ConvertedDate",
)


_IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class StreamSpec:
    """One CRM object as data: its name, primary key, replication key and mapped fields."""

    object_name: str
    fields: tuple[str, ...]
    primary_key: str = "Id"
    replication_key: str = "SystemModstamp"

    def __post_init__(self) -> None:
        names = (self.object_name, self.primary_key, self.replication_key, *self.fields)
        bad = [name for name in names if not _IDENTIFIER.match(name)]
        if bad:
            raise ValueError(f"not a Salesforce API name: {bad[0]!r} (stream {self.object_name})")

    @property
    def select_fields(self) -> tuple[str, ...]:
        """System fields first, then the mapped ones, each once, in a stable order."""
        return tuple(dict.fromkeys((*SYSTEM_FIELDS, *self.fields)))

    def select(self, clauses: str = "") -> str:
        """``SELECT <fields> FROM <object> <clauses>``: a format_soql template.

        Object and field names are identifiers checked in ``__post_init__`` (format_soql
        quotes values, not names); every value goes into ``clauses`` as a ``{placeholder}``.
        """
        fields = ", ".join(self.select_fields)
        return f"SELECT {fields} FROM {self.object_name} {clauses}".rstrip()  # noqa: S608


def lead_stream(fields: Sequence[str]) -> StreamSpec:
    """The Lead stream reading ``fields`` (CRM field API names from the mapping)."""
    return StreamSpec("Lead", tuple(fields))


# ------------------------------------------------------------------------------------------
# SOQL
# ------------------------------------------------------------------------------------------


def incremental_soql(spec: StreamSpec, window: Window, after: Cursor | None = None) -> str:
    """``SELECT ... WHERE key >= start AND key < end ORDER BY key, Id`` for one window.

    With ``after``, the lower bound moves up to the cursor's stamp; records at that very stamp
    with an Id at or before the cursor's are dropped by :func:`after_cursor`, not by SOQL.
    """
    start = window.start
    if after is not None and (start is None or after.modstamp > start):
        start = after.modstamp
    key = spec.replication_key
    if start is None:
        return format_soql(spec.select(f"WHERE {key} < {{end}} {_order(spec)}"), end=window.end)
    template = spec.select(f"WHERE {key} >= {{start}} AND {key} < {{end}} {_order(spec)}")
    return format_soql(template, start=start, end=window.end)


def _order(spec: StreamSpec) -> str:
    return f"ORDER BY {spec.replication_key} ASC, {spec.primary_key} ASC"


def ids_soql(spec: StreamSpec, record_ids: Sequence[str]) -> str:
    """``SELECT ... WHERE Id IN (...)`` for one chunk of ids (at most IDS_PER_QUERY)."""
    if not 0 < len(record_ids) <= IDS_PER_QUERY:
        raise ValueError(f"an IN list takes 1..{IDS_PER_QUERY} ids, got {len(record_ids)}")
    template = spec.select(f"WHERE {spec.primary_key} IN {{ids}} {_order(spec)}")
    return format_soql(template, ids=list(record_ids))


def full_soql(spec: StreamSpec, ordered: bool = True) -> str:
    """Every record of the object (Bulk 2.0 takes it unordered: ``ordered=False``)."""
    return spec.select(_order(spec) if ordered else "")


def count_soql(spec: StreamSpec) -> str:
    """``SELECT COUNT() FROM <object>``: one call, the answer is in ``totalSize``."""
    return f"SELECT COUNT() FROM {spec.object_name}"  # noqa: S608 - identifier checked


def count_all(spec: StreamSpec) -> Callable[[Salesforce], dict[str, Any]]:
    """The call counting every record, deleted ones included (as queryAll reads them)."""
    return lambda sf: query_page(sf.query(count_soql(spec), include_deleted=True))


def bulk_soql(spec: StreamSpec, end: datetime | None) -> str:
    """Every record stamped before ``end`` (all when None), unordered: ORDER BY "disables
    PKChunking" of a Bulk 2.0 query job (slower, may time out), and pages without cursors
    need no order:
    https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/queries.htm
    """
    if end is None:
        return full_soql(spec, ordered=False)
    return format_soql(spec.select(f"WHERE {spec.replication_key} < {{end}}"), end=end)


# ------------------------------------------------------------------------------------------
# Windows and cursors (pure, testable without I/O)
# ------------------------------------------------------------------------------------------


def after_cursor(records: Sequence[SourceRecord], after: Cursor | None) -> list[SourceRecord]:
    """The records strictly after ``after`` in (modstamp, id) order."""
    if after is None:
        return list(records)
    return [r for r in records if Cursor(r.modstamp, r.record_id) > after]


def cursor_of(records: Sequence[SourceRecord], fallback: Cursor | None) -> Cursor | None:
    """The cursor after the last record of an ascending page (``fallback`` when empty)."""
    if not records:
        return fallback
    last = records[-1]
    return Cursor(last.modstamp, last.record_id)


# ------------------------------------------------------------------------------------------
# Records
# ------------------------------------------------------------------------------------------


def parse_datetime(value: str) -> datetime:
    """A Salesforce datetime (``2024-10-31T03:49:13.000+0000`` REST, ``...Z`` Bulk) as aware.

    ``fromisoformat`` reads both forms since Python 3.11 and is ~70x faster than strptime,
    which matters at 100,000 records per run.
    """
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(f"datetime without a time zone: {value!r}")
    return parsed


def _strip_attributes(record: Mapping[str, Any]) -> dict[str, Any]:
    # Records are dicts freshly parsed from one response and owned by us: strip in place
    # (copying 100,000 records costs more than parsing their JSON). Only relationship values
    # (JSON objects) carry nested ``attributes``.
    fields = record if isinstance(record, dict) else dict(record)
    fields.pop("attributes", None)
    for value in fields.values():
        if isinstance(value, dict):
            _strip_attributes(value)
    return fields


def to_source_record(raw: Mapping[str, Any], spec: StreamSpec) -> SourceRecord | None:
    """A record as read, minus ``attributes``; None (logged) when it has no usable id/stamp."""
    fields = _strip_attributes(raw)
    record_id = fields.get(spec.primary_key)
    stamp = fields.get(spec.replication_key)
    try:
        modstamp = parse_datetime(str(stamp))
    except ValueError:
        log.error(
            "skipping %s %s: unreadable %s %r",
            spec.object_name,
            record_id,
            spec.replication_key,
            stamp,
        )
        return None
    if not record_id:
        log.error("skipping a %s without %s", spec.object_name, spec.primary_key)
        return None
    return SourceRecord(
        record_id=str(record_id),
        modstamp=modstamp,
        fields=fields,
        deleted=bool(fields.get("IsDeleted")),
        merged_into=fields.get("MasterRecordId") or None,
    )


def to_source_records(raws: Sequence[Mapping[str, Any]], spec: StreamSpec) -> list[SourceRecord]:
    """Convert a page of raw records, skipping (and logging) unusable ones."""
    records = (to_source_record(raw, spec) for raw in raws)
    return [r for r in records if r is not None]


# ------------------------------------------------------------------------------------------
# REST paging
# ------------------------------------------------------------------------------------------


def query_options(batch_size: int | None) -> dict[str, str]:
    """Request headers asking for ``batch_size`` records per page (Salesforce: 200..2000, and
    "no guarantee that the requested batch size is the actual batch size")."""
    return {"Sforce-Query-Options": f"batchSize={batch_size}"} if batch_size else {}


#: A query page as documented: ``{"totalSize", "done", "nextRecordsUrl"?, "records"}``,
#: ``nextRecordsUrl`` whenever ``done`` is false.
#: https://developer.salesforce.com/docs/platform/api-rest/guide/resources-query.md
QUERY_PAGE: Shape = {"totalSize": int, "done": bool, "records": list}


def query_page(answer: Any) -> dict[str, Any]:
    """``answer`` if it is a documented query page; MalformedAnswer otherwise."""
    page = require(answer, QUERY_PAGE)
    if not page["done"] and not isinstance(page.get("nextRecordsUrl"), str):
        raise MalformedAnswer("query page says done=false but has no nextRecordsUrl")
    return page


def query_pages(
    api: Api[Any], soql: str, operation: str = "query", headers: Mapping[str, str] | None = None
) -> Iterator[dict[str, Any]]:
    """Each raw result page of a queryAll (deleted and merged rows included), one call each.

    Same walk as ``query_all_iter`` but a page at a time, so every page is its own retried,
    counted call and the engine can persist a cursor between pages. Every page is checked
    (:func:`query_page`) inside its call, so an odd answer is retried, never read as the end.
    """
    options = dict(headers or {})
    page = api(
        operation, lambda sf: query_page(sf.query(soql, include_deleted=True, headers=options))
    )
    yield page
    while not page["done"]:
        page = api("query_more", _more(page["nextRecordsUrl"], options))
        yield page


def _first(soql: str, headers: dict[str, str]) -> Callable[[Salesforce], Any]:
    return lambda sf: query_page(sf.query(soql, include_deleted=True, headers=headers))


def _more(next_url: str, headers: dict[str, str]) -> Callable[[Salesforce], Any]:
    return lambda sf: query_page(sf.query_more(next_url, identifier_is_url=True, headers=headers))


def pull_pages(
    api: Api[Any],
    spec: StreamSpec,
    soql: str,
    after: Cursor | None = None,
    track_cursor: bool = True,
    headers: Mapping[str, str] | None = None,
) -> Iterator[Page]:
    """A Page per API page; cursors only when the query is ordered by (modstamp, id)."""
    cursor = after
    for raw_page in query_pages(api, soql, headers=headers):
        records = after_cursor(to_source_records(raw_page["records"], spec), after)
        if track_cursor:
            cursor = cursor_of(records, cursor)
        total = raw_page.get("totalSize")
        yield Page(
            records, cursor if track_cursor else None, total if isinstance(total, int) else None
        )
