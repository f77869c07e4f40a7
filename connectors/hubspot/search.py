"""Paging HubSpot CRM search by ``lastmodifieddate`` without ever losing or repeating a record.

Pure logic, no I/O: :class:`SearchPlan` says which search to send next (:meth:`next_query`)
and turns each answer into the records that are safe to hand out (:meth:`feed`).

Why it is not plain ``after`` paging
(https://developers.hubspot.com/docs/api-reference/2026-03/crm/search-the-crm):

* Search refuses to page past the 10,000th result of one query (HTTP 400), and
* ``after`` is an *offset*: a record in the window that is edited mid-run leaves the result
  set and shifts every later record one place left, so offset paging skips one record per edit.
* Search sorts by ONE property only, so records sharing a millisecond come in any order.

So each query starts from the last timestamp seen (``GTE ts``); offsets are only followed up
to ``max_offset`` (0 by default: every page is a fresh keyset query, no offset ever sent).
Following offsets (``max_offset`` up to 10,000) saves the re-read of one tie group per page but
assumes HubSpot orders ties the same way on every request, which it does not promise. Records
sharing the last timestamp of an answer are *held back* until that timestamp is complete,
then handed out sorted by numeric id, so a cursor ``(ts, id)`` always means "everything up to
here was handed out". When a timestamp's group dominates an answer (restarting from it would
re-read mostly the same records), the plan pages through that one timestamp with
``lastmodifieddate EQ ts AND hs_object_id GT last_id`` sorted by ``hs_object_id`` (exact, no
offsets), then goes on with ``lastmodifieddate GT ts``. Held-back records that were never
handed out are simply read again: the only overlap, usually a single record per page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

MODSTAMP = "lastmodifieddate"
ID_PROPERTY = "hs_object_id"
MAX_LIMIT = 200  # "The maximum results to return, up to 200 objects"
RESULT_CAP = 10_000  # search answers 400 past the 10,000th result of one query


@dataclass(frozen=True, order=True)
class Key:
    """A record's place in the stream: (lastmodifieddate in epoch ms, numeric id)."""

    ts: int
    id: int


@dataclass(frozen=True)
class Hit:
    """One search result reduced to what the plan needs, plus the raw object."""

    key: Key
    raw: Any


@dataclass(frozen=True)
class Query:
    """One search request. ``tie`` set: page through that one timestamp by id."""

    lower: int | None
    lower_op: str  # "GTE" or "GT"
    end: int | None
    tie: int | None = None
    id_floor: int | None = None
    after: str | None = None

    def body(self, properties: Sequence[str], limit: int) -> dict[str, Any]:
        """The JSON body HubSpot expects (camelCase keys)."""
        if self.tie is not None:
            filters = [_filter(MODSTAMP, "EQ", self.tie)]
            if self.id_floor is not None:
                filters.append(_filter(ID_PROPERTY, "GT", self.id_floor))
            sort = ID_PROPERTY
        else:
            filters = [] if self.lower is None else [_filter(MODSTAMP, self.lower_op, self.lower)]
            if self.end is not None:
                filters.append(_filter(MODSTAMP, "LT", self.end))
            sort = MODSTAMP
        body: dict[str, Any] = {
            "filterGroups": [{"filters": filters}] if filters else [],
            "sorts": [{"propertyName": sort, "direction": "ASCENDING"}],
            "properties": list(properties),
            "limit": limit,
        }
        if self.after is not None:
            body["after"] = self.after
        return body


def _filter(name: str, operator: str, value: int) -> dict[str, str]:
    return {"propertyName": name, "operator": operator, "value": str(value)}


class SearchPlan:
    """The state of one paged search over ``[start, end)`` (epoch ms; None = unbounded).

    ``floor``: everything at or before this key was already handed out (a resume cursor).
    """

    def __init__(
        self,
        start: int | None,
        end: int | None,
        floor: Key | None = None,
        *,
        limit: int = MAX_LIMIT,
        max_offset: int = 0,
    ) -> None:
        if not 0 < limit <= MAX_LIMIT:
            raise ValueError(f"search limit must be 1..{MAX_LIMIT}, not {limit}")
        if not 0 <= max_offset <= RESULT_CAP:
            raise ValueError(f"max_offset must be 0..{RESULT_CAP}, not {max_offset}")
        self.limit = limit
        self.max_offset = max_offset
        self.end = end
        self.floor = floor
        lower = start
        if floor is not None and (lower is None or floor.ts > lower):
            lower = floor.ts
        self.query: Query | None = Query(lower, "GTE", end)
        self._held: list[Hit] = []
        self._seen = 0  # results of the current query, skipped ones included
        self._last_ts: int | None = None  # timestamp of the current query's last result
        self._at_last = 0  # results of the current query at that timestamp

    def next_query(self) -> Query | None:
        """The search to send next; None when the window is exhausted."""
        return self.query

    def feed(self, hits: Sequence[Hit], next_after: str | None) -> list[Hit]:
        """Take one answer (its results and ``paging.next.after``); return the records that
        are now safe to hand out, ascending by key."""
        query = self.query
        if query is None:
            raise RuntimeError("feed() after the search was exhausted")
        if query.tie is not None:
            return self._feed_tie(query, hits, next_after)
        ready = self._take(sorted(hits, key=lambda h: h.key))
        if next_after is None:
            ready += self._release_held()
            self.query = None
        elif int(next_after) + self.limit > self.max_offset:
            self._restart()
        else:
            self.query = Query(query.lower, query.lower_op, query.end, after=next_after)
        return self._advance(ready)

    def _take(self, hits: Sequence[Hit]) -> list[Hit]:
        ready: list[Hit] = []
        for hit in hits:
            self._count(hit.key.ts)
            if self.floor is not None and hit.key <= self.floor:
                continue
            if self._held and hit.key.ts > self._held[0].key.ts:
                ready += self._release_held()
            self._held.append(hit)
        return ready

    def _count(self, ts: int) -> None:
        self._seen += 1
        if ts == self._last_ts:
            self._at_last += 1
        else:
            self._last_ts, self._at_last = ts, 1

    def _release_held(self) -> list[Hit]:
        held, self._held = sorted(self._held, key=lambda h: h.key), []
        return held

    def _restart(self) -> None:
        """Start a fresh query from the last timestamp seen (its held records are re-read)."""
        ts = self._last_ts
        if ts is None:
            raise ValueError("HubSpot search announced a next page but returned no results")
        dominated = self._at_last * 2 > self._seen
        self._held = []
        self._seen, self._last_ts, self._at_last = 0, None, 0
        if dominated:
            floor = self.floor.id if self.floor is not None and self.floor.ts == ts else None
            self.query = Query(ts, "GTE", self.end, tie=ts, id_floor=floor)
        else:
            self.query = Query(ts, "GTE", self.end)

    def _feed_tie(self, query: Query, hits: Sequence[Hit], next_after: str | None) -> list[Hit]:
        assert query.tie is not None
        ordered = sorted(hits, key=lambda h: h.key)
        ready = [
            h
            for h in ordered
            if h.key.ts == query.tie and (self.floor is None or h.key > self.floor)
        ]
        if next_after is None or not ordered:
            # This timestamp is done: go on strictly after it.
            self.query = Query(query.tie, "GT", query.end)
        else:
            self.query = Query(
                query.tie, "GTE", query.end, tie=query.tie, id_floor=ordered[-1].key.id
            )
        return self._advance(ready)

    def _advance(self, ready: list[Hit]) -> list[Hit]:
        if ready:
            self.floor = ready[-1].key
        return ready
