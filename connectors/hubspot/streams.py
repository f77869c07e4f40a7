"""Reading contacts: search windows (see :mod:`.search`), archived contacts, reads by id.

Search never returns archived contacts, so a pull may also list archived contacts
(``GET /crm/v3/objects/contacts?archived=true``, 100 per call; the list cannot be filtered by
date, so it costs ``ceil(archived / 100)`` calls; HubSpot keeps archived contacts restorable
for 90 days, which bounds it) and merge those archived in the asked range into the stream as
``deleted=True`` records, keyed by their ``archivedAt``. As that listing costs calls however
little changed, the engine asks for it on a schedule of its own (``pull.deletions_every``, see
:class:`connectors.base.Deletions`), not on every pull.

Merges: the surviving contact lists the ids merged into it in ``hs_merged_object_ids``
(``;``-separated). A merged-away id that is also in the archived listing comes once, as that
archived record, with ``merged_into`` set when its survivor was read in the same pull. Any other
merged id is handed out right after the survivor as a deleted record with ``merged_into`` set,
stamped with the survivor's ``lastmodifieddate`` (so within such a stamp ids are not strictly
ascending). They repeat whenever the survivor changes, which is harmless (the engine upserts by
id).
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from connectors.base import Cursor, MalformedAnswer, Page, SourceRecord, Window
from connectors.hubspot.search import ID_PROPERTY, MAX_LIMIT, MODSTAMP, Hit, Key, SearchPlan
from connectors.shapes import Shape

MERGED_IDS = "hs_merged_object_ids"
BASE_PROPERTIES = (MODSTAMP, ID_PROPERTY, MERGED_IDS)
BATCH_READ_LIMIT = 100
#: a batch read asking for ``propertiesWithHistory`` takes at most 50 inputs (400: "The maximum
#: number of inputs supported in a batch request for property histories is 50", as quoted in
#: activepieces/activepieces#9359; the history itself:
#: https://developers.hubspot.com/docs/api-reference/legacy/crm/objects/contacts/guide)
HISTORY_READ_LIMIT = 50
LIST_LIMIT = 100
#: Documented answers: search ``{"total", "results", "paging"?}``
#: (https://developers.hubspot.com/docs/api-reference/2026-03/crm/search-the-crm); list pages
#: ``{"results", "paging"?}``; batch read/update ``{"status", "results", ...}``
#: (https://developers.hubspot.com/docs/api-reference/legacy/crm/objects/contacts/batch/update-contacts).
#: ``paging`` is absent on the last page, so it cannot be required.
SEARCH_SHAPE: Shape = {"total": int, "results": list}
LIST_SHAPE: Shape = {"results": list}
BATCH_SHAPE: Shape = {"status": str, "results": list}

#: runs one search: (JSON body) -> (contacts, paging.next.after)
SearchFn = Callable[[dict[str, Any]], tuple[Sequence["Contact"], str | None]]


@dataclass(frozen=True)
class Contact:
    """A contact object as the v3 JSON gives it (values are strings or null)."""

    id: str
    properties: dict[str, Any]
    updated_at: str | None = None
    archived: bool = False
    archived_at: str | None = None

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Contact:
        return cls(
            str(raw["id"]),
            dict(raw.get("properties") or {}),
            raw.get("updatedAt"),
            bool(raw.get("archived", False)),
            raw.get("archivedAt"),
        )


def contacts_of(body: Mapping[str, Any]) -> list[Contact]:
    """The ``results`` of a list/search/batch answer."""
    return [Contact.from_json(raw) for raw in body.get("results") or []]


def complete_search_page(body: Mapping[str, Any], offset: Any) -> None:
    """MalformedAnswer when a search page without ``paging.next`` stops short of ``total``:
    an answer that lost its ``paging`` must not end the window early."""
    start = int(offset) if str(offset).isdigit() else 0
    seen = start + len(body["results"])
    if next_after(body) is not None and not body["results"]:
        raise MalformedAnswer("search answer announces a next page but holds no results")
    if next_after(body) is None and seen < body["total"]:
        raise MalformedAnswer(
            f"search answer has no next page after {seen} of {body['total']} results"
        )


def histories_of(
    body: Mapping[str, Any], name: str
) -> dict[str, list[tuple[str | None, datetime]]]:
    """``propertiesWithHistory[name]`` of a batch read answer per contact id, newest first
    (entries ``{"value", "timestamp", "sourceType", ...}``; only changes make an entry)."""
    found: dict[str, list[tuple[str | None, datetime]]] = {}
    for raw in body.get("results") or []:
        entries = (raw.get("propertiesWithHistory") or {}).get(name) or []
        values = [(entry.get("value"), parse_stamp(entry.get("timestamp"))) for entry in entries]
        dated = [(value, stamp) for value, stamp in values if stamp is not None]
        found[str(raw["id"])] = sorted(dated, key=lambda entry: entry[1], reverse=True)
    return found


def next_after(body: Mapping[str, Any]) -> str | None:
    """``paging.next.after`` of an answer (None on the last page)."""
    following = ((body.get("paging") or {}).get("next") or {}).get("after")
    return str(following) if following is not None else None


def to_millis(value: datetime, *, ceil: bool = False) -> int:
    """Epoch milliseconds of an aware datetime (rounded up with ``ceil``)."""
    micros = (value - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)
    return -(-micros // 1000) if ceil else micros // 1000


def from_millis(ms: int) -> datetime:
    """The aware UTC datetime of epoch milliseconds."""
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=ms)


def parse_stamp(value: Any) -> datetime | None:
    """A HubSpot datetime value: ISO-8601 (``...Z``), epoch ms (string) or a datetime."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    text = str(value).strip()
    if text.isdigit():
        return from_millis(int(text))
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def numeric_id(record_id: str) -> int:
    """HubSpot ids are numbers; "" (a cursor at a timestamp's start) sorts before every id."""
    return int(record_id) if record_id.isdigit() else -1


def record_key(obj: Contact) -> Key:
    """The stream key of a contact object (SDK model or anything with id/properties)."""
    stamp = parse_stamp(obj.properties.get(MODSTAMP)) or parse_stamp(obj.updated_at)
    if stamp is None:
        raise ValueError(f"contact {obj.id} has no {MODSTAMP} and no updatedAt")
    return Key(to_millis(stamp), numeric_id(str(obj.id)))


def to_source_records(
    obj: Contact,
    modstamp: datetime | None = None,
    *,
    listed: Container[str] = (),
    merged_into: str | None = None,
) -> list[SourceRecord]:
    """The contact as a SourceRecord, plus one deleted record per contact merged into it
    (except those in ``listed``: the archived listing hands them out itself)."""
    props = dict(obj.properties)
    archived = obj.archived
    stamp = modstamp or parse_stamp(props.get(MODSTAMP)) or parse_stamp(obj.updated_at)
    assert stamp is not None
    record_id = str(obj.id)
    fields = {**props, "id": record_id, "archived": archived}
    records = [SourceRecord(record_id, stamp, fields, deleted=archived, merged_into=merged_into)]
    for merged in sorted(merged_ids(obj), key=numeric_id):
        if merged not in listed:
            records.append(
                SourceRecord(
                    merged,
                    stamp,
                    {"id": merged, "merged_into": record_id},
                    deleted=True,
                    merged_into=record_id,
                )
            )
    return records


def merged_ids(obj: Contact) -> list[str]:
    """The ids HubSpot merged into this contact (``hs_merged_object_ids``)."""
    value = obj.properties.get(MERGED_IDS)
    return [part.strip() for part in str(value or "").split(";") if part.strip().isdigit()]


def window_plan(
    window: Window | None, after: Cursor | None, max_offset: int = 0, limit: int = MAX_LIMIT
) -> SearchPlan:
    """The search plan of ``window`` (None: no bounds at all), resuming strictly after ``after``."""
    start = None if window is None or window.start is None else to_millis(window.start, ceil=True)
    end = None if window is None else to_millis(window.end, ceil=True)
    floor = None
    if after is not None:
        floor = Key(to_millis(after.modstamp), numeric_id(after.record_id))
    return SearchPlan(start, end, floor, limit=limit, max_offset=max_offset)


def search_hits(
    plan: SearchPlan, search: SearchFn, properties: Sequence[str]
) -> Iterator[list[Hit]]:
    """Run ``plan`` to the end; yield each batch of records it releases (maybe empty)."""
    while (query := plan.next_query()) is not None:
        results, next_after = search(query.body(properties, plan.limit))
        yield plan.feed([Hit(record_key(obj), obj) for obj in results], next_after)


def archived_in(
    objects: Iterable[Contact], since: datetime | None, until: datetime | None, after: Cursor | None
) -> list[Hit]:
    """Archived contacts whose ``archivedAt`` lies in ``[since, until)`` (None: unbounded) and
    after the cursor."""
    start = None if since is None else to_millis(since, ceil=True)
    end = None if until is None else to_millis(until, ceil=True)
    floor = None if after is None else Key(to_millis(after.modstamp), numeric_id(after.record_id))
    hits = []
    for obj in objects:
        stamp = parse_stamp(obj.archived_at) or parse_stamp(obj.updated_at)
        if stamp is None:
            continue
        key = Key(to_millis(stamp), numeric_id(str(obj.id)))
        inside = (start is None or key.ts >= start) and (end is None or key.ts < end)
        if inside and (floor is None or key > floor):
            hits.append(Hit(key, obj))
    return sorted(hits, key=lambda h: h.key)


def merged_pages(
    batches: Iterable[list[Hit]], archived: list[Hit], listed: Container[str] = ()
) -> Iterator[Page]:
    """Interleave archived hits into the search batches by key; one Page per non-empty batch.

    ``listed``: every id of the archived listing (merged-away ids among them come once).
    """
    pending = list(archived)
    survivors: dict[str, str] = {}
    for batch in batches:
        if not batch:
            continue
        for hit in batch:
            survivors.update((merged, str(hit.raw.id)) for merged in merged_ids(hit.raw))
        last = batch[-1].key
        early = [h for h in pending if h.key <= last]
        pending = pending[len(early) :]
        yield _page(sorted(batch + early, key=lambda h: h.key), listed, survivors)
    if pending:
        yield _page(pending, listed, survivors)


def _page(hits: Sequence[Hit], listed: Container[str], survivors: dict[str, str]) -> Page:
    records: list[SourceRecord] = []
    for hit in hits:
        records += to_source_records(
            hit.raw,
            from_millis(hit.key.ts),
            listed=listed,
            merged_into=survivors.get(str(hit.raw.id)),
        )
    last = hits[-1]
    return Page(records, Cursor(from_millis(last.key.ts), str(last.raw.id)))
