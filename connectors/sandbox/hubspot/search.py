"""``POST /crm/v3/objects/{type}/search``: filters, one sort, offset paging, the 10k cap, lag.

Paging: ``after`` is an offset into the ordered result of one query; ``paging.next`` is absent
on the last page; asking for ``after >= 10,000`` is refused with 400 (HubSpot returns at most
10,000 results per query). ``total`` counts every match. Ties in the sort are broken by id in
the sort direction; records without a value for the sort property come last.

Index lag (quirk ``search_index_lag``, 3 s: "It may take a few moments for newly created or
updated CRM objects to appear in search results", https://developers.hubspot.com/docs/
api-reference/latest/crm/search-the-crm): a record written less than the lag ago is missing
from search entirely (real HubSpot may still show its previous version); get and batch read
see it at once.

Speed: the ordered id list of a query is cached per (query, store version, visibility cutoff),
so paging through one query filters once. Range and equality filters on the last-modified
property and the id are answered from the store's sorted ``(modified, id)`` index by bisection
without filtering anything (:mod:`.ranges`: the connector's fresh query per page); other queries
sorted or bounded on the last-modified property scan a bisected slice of that index.
"""

from __future__ import annotations

import bisect
import json
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from connectors.sandbox.hubspot.errors import SEARCH_CAP
from connectors.sandbox.hubspot.filters import (
    ASSOCIATIONS,
    LENIENT,
    AssociatedIds,
    Filter,
    KeyOf,
    Rules,
    SearchError,
    compile_groups,
    modified_bounds,
    parse_groups,
)
from connectors.sandbox.hubspot.objects import names_for
from connectors.sandbox.hubspot.ranges import index_slice, page_ids
from connectors.sandbox.hubspot.store import ObjectStore, Record
from connectors.sandbox.hubspot.values import typed_key

MAX_LIMIT = 200
DEFAULT_LIMIT = 10
MAX_QUERY = 3000  # "A query can contain a maximum of 3,000 characters" (search-the-crm, Limits)
QUERY_PROPS = (
    "firstname",
    "lastname",
    "email",
    "phone",
    "company",
    "domain",
    "name",
    "hs_task_subject",
    "hs_task_body",
    "hs_note_body",
)


class SearchCapError(SearchError):
    """Paging past the 10,000th result of one query."""


@dataclass(frozen=True)
class SearchRequest:
    groups: list[list[Filter]]
    sort_prop: str
    descending: bool
    properties: list[str]
    limit: int
    after: int
    query: str
    rules: Rules = LENIENT

    def cache_key(self) -> str:
        """What identifies the ordered result of this query."""
        return json.dumps(
            [[[f.prop, f.op, f.value, f.high, f.values] for f in g] for g in self.groups]
            + [self.sort_prop, self.descending, self.query, str(self.rules)]
        )


def parse(body: Any, store: ObjectStore, rules: Rules = LENIENT) -> SearchRequest:
    """A validated search request (raises :class:`SearchError` for a 400)."""
    if not isinstance(body, dict):
        raise SearchError("the search body must be a JSON object")
    registry = store.registry
    groups = parse_groups(body.get("filterGroups"), registry, rules)
    query = str(body.get("query") or "")
    if rules is not LENIENT and len(query) > MAX_QUERY:
        raise SearchError(f"query is {len(query)} characters long; the maximum is {MAX_QUERY}")
    prop, descending = _sort(body.get("sorts"), store)
    limit = _int(body.get("limit"), DEFAULT_LIMIT, "limit")
    if not 0 < limit <= MAX_LIMIT:
        raise SearchError(f"limit must be between 1 and {MAX_LIMIT}, got {limit}")
    after = _int(body.get("after"), 0, "after")
    if after >= SEARCH_CAP:
        raise SearchCapError(f"after={after}")
    names = names_for(store, body.get("properties") or None)
    return SearchRequest(groups, prop, descending, names, limit, after, query, rules)


def _int(raw: Any, default: int, name: str) -> int:
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise SearchError(f"{name} must be an integer, got {raw!r}") from None


def _sort(raw: Any, store: ObjectStore) -> tuple[str, bool]:
    """The one sort HubSpot honours: a dict or a ``"prop"`` / ``"-prop"`` string."""
    if not raw:
        return "hs_object_id", False
    first = raw[0]
    if isinstance(first, str):
        prop, descending = first.lstrip("-"), first.startswith("-")
    elif isinstance(first, dict):
        prop = str(first.get("propertyName") or "")
        descending = str(first.get("direction") or "ASCENDING").upper() == "DESCENDING"
    else:
        raise SearchError(f"a sort must be an object or a string, not {first!r}")
    if store.registry.get(prop) is None:
        raise SearchError(
            f"Property {prop!r} in sorts does not exist on {store.registry.object_label}"
        )
    return prop, descending


class SearchEngine:
    """Runs searches over one emulator's stores, caching ordered results per query."""

    def __init__(self, cache_size: int = 32, *, use_index: bool = True) -> None:
        """``use_index=False`` always runs the general evaluator (tests compare the two)."""
        self._cache: OrderedDict[tuple[Any, ...], list[int]] = OrderedDict()
        self._size = cache_size
        self._use_index = use_index
        self._associated: AssociatedIds | None = None

    def run(
        self,
        store: ObjectStore,
        request: SearchRequest,
        cutoff_ms: int | None,
        associated: AssociatedIds | None = None,
    ) -> dict[str, Any]:
        """The response body for one page of ``request``; ``cutoff_ms`` hides newer records;
        ``associated`` answers ``associations.*`` filters."""
        self._associated = associated
        span = index_slice(store, request, cutoff_ms) if self._use_index else None
        if span is not None:
            total = span[1] - span[0]
            window = page_ids(
                store.by_modified, span, request.after, request.limit, request.descending
            )
        else:
            ordered = self._ordered(store, request, cutoff_ms)
            total = len(ordered)
            window = ordered[request.after : request.after + request.limit]
        body: dict[str, Any] = {
            "total": total,
            "results": [store.records[i].to_json(request.properties) for i in window],
        }
        following = request.after + request.limit
        if following < total:
            body["paging"] = {"next": {"after": str(following)}}
        return body

    def _ordered(
        self, store: ObjectStore, request: SearchRequest, cutoff_ms: int | None
    ) -> list[int]:
        key = (id(store), store.version, cutoff_ms, request.cache_key())
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        result = _evaluate(store, request, cutoff_ms, self._associated)
        if any(f.prop.startswith(ASSOCIATIONS) for g in request.groups for f in g):
            return result  # links to other types' records change without this store's version
        self._cache[key] = result
        if len(self._cache) > self._size:
            self._cache.popitem(last=False)
        return result


def _evaluate(
    store: ObjectStore,
    request: SearchRequest,
    cutoff_ms: int | None,
    associated: AssociatedIds | None,
) -> list[int]:
    fast: dict[str, KeyOf] = {"hs_object_id": lambda r: (0, float(r.id))}
    fast.update({name: lambda r: (0, float(r.updated_ms)) for name in store.kind.modified_props})
    predicate = compile_groups(
        request.groups, store.registry, fast, rules=request.rules, associated=associated
    )
    text = request.query.casefold().split()

    def visible(record: Record) -> bool:
        return (
            not record.archived
            and (cutoff_ms is None or record.updated_ms <= cutoff_ms)
            and predicate(record)
            and _matches_query(record, text)
        )

    modified = store.kind.modified_props
    bounds = modified_bounds(request.groups, modified, store.registry.kind)
    if request.sort_prop in modified:  # the index is already in (modified, id) order
        ids = [i for _, i in _index_slice(store, bounds) if visible(store.records[i])]
        return ids[::-1] if request.descending else ids
    candidates: Iterable[Record] = (
        (store.records[i] for _, i in _index_slice(store, bounds))
        if bounds is not None
        else store.records.values()
    )
    return _sorted_ids([r for r in candidates if visible(r)], store, request)


def _index_slice(
    store: ObjectStore, bounds: tuple[int | None, int | None] | None
) -> list[tuple[int, int]]:
    index = store.by_modified
    if bounds is None:
        return index
    low, high = bounds
    start = 0 if low is None else bisect.bisect_left(index, (low, -1))
    end = len(index) if high is None else bisect.bisect_right(index, (high, float("inf")))
    return index[start:end]


def _sorted_ids(records: list[Record], store: ObjectStore, request: SearchRequest) -> list[int]:
    if request.sort_prop == "hs_object_id":
        ids = sorted(r.id for r in records)
        return ids[::-1] if request.descending else ids
    kind = store.registry.kind(request.sort_prop)
    keyed = [(typed_key(kind, r.properties.get(request.sort_prop)), r.id) for r in records]
    present = sorted(((k, i) for k, i in keyed if k is not None), reverse=request.descending)
    missing = sorted(i for k, i in keyed if k is None)
    return [i for _, i in present] + missing


def _matches_query(record: Record, words: list[str]) -> bool:
    """The free-text ``query``: every word must occur in the default searchable fields."""
    if not words:
        return True
    haystack = " ".join((record.properties.get(p) or "") for p in QUERY_PROPS).casefold()
    return all(word in haystack for word in words)
