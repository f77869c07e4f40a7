"""Searches answered from the store's sorted ``(modified millis, id)`` index by bisection.

The HubSpot connector starts a fresh search for every page (``lastmodifieddate GTE ts AND LT
end`` sorted by it, then ``lastmodifieddate EQ ts AND hs_object_id GT id`` for ties). Filtering
every match of each such query only to count ``total`` made a large pull quadratic.

A search qualifies when it has no free-text query, at most one filter group, and every filter
in it is a range or equality filter with a finite numeric value on a last-modified property or
on ``hs_object_id``; it must be sorted on a last-modified property or on ``hs_object_id``.
Filters on the id, and the id sort, need the last-modified filters to leave one millisecond
(data-dependent: the slice's first and last entries share it), where index order is id order.
Its matches are then one contiguous slice of the index (archived records are not in it; the
index-lag cutoff is one more upper bound): ``total`` is the slice length and only the page is
read. Anything else returns None and goes to the general evaluator in :mod:`.search`.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable
from typing import TYPE_CHECKING

from connectors.sandbox.hubspot.filters import RANGE_OPS, Filter
from connectors.sandbox.hubspot.store import ObjectStore
from connectors.sandbox.hubspot.values import typed_key

if TYPE_CHECKING:
    from connectors.sandbox.hubspot.search import SearchRequest

INF = float("inf")
NUMERIC_KINDS = ("number", "datetime", "date")
Entry = tuple[float, float]
Bound = tuple[str, float, float]  # operator, low, high (high == low except for BETWEEN)
Probe = Callable[[float, bool], Entry]


def index_slice(
    store: ObjectStore, request: SearchRequest, cutoff_ms: int | None
) -> tuple[int, int] | None:
    """Positions ``[start, end)`` of the matches in ``store.by_modified`` (None: no fast path)."""
    modified = store.kind.modified_props
    by_id = request.sort_prop == "hs_object_id"
    if (
        request.query
        or len(request.groups) > 1
        or request.after < 0
        or not (by_id or request.sort_prop in modified)
    ):
        return None
    on_ms: list[Bound] = []
    on_id: list[Bound] = []
    for flt in request.groups[0] if request.groups else []:
        bound = _numeric(flt, store.registry.kind(flt.prop))
        if bound is None or not (flt.prop in modified or flt.prop == "hs_object_id"):
            return None
        (on_ms if flt.prop in modified else on_id).append(bound)
    if cutoff_ms is not None:
        on_ms.append(("LTE", float(cutoff_ms), float(cutoff_ms)))
    index = store.by_modified
    start, end = _narrow(index, 0, len(index), on_ms, lambda v, right: (v, INF if right else -INF))
    if start >= end:
        return start, start
    if not (on_id or by_id):
        return start, end
    pinned = index[start][0]
    if index[end - 1][0] != pinned:
        return None
    return _narrow(index, start, end, on_id, lambda v, right: (pinned, v))


def page_ids(
    index: list[tuple[int, int]], span: tuple[int, int], after: int, limit: int, descending: bool
) -> list[int]:
    """The ids of one page (``after`` results skipped) of the matches at ``span``."""
    start, end = span
    if not descending:
        low = start + after
        return [i for _, i in index[low : min(low + limit, end)]]
    high = end - after
    low = max(start, high - limit)
    return [i for _, i in reversed(index[low:high])] if high > low else []


def _numeric(flt: Filter, kind: str) -> Bound | None:
    """The filter as finite numeric bounds, or None when the general evaluator must decide."""
    if flt.op not in RANGE_OPS or kind not in NUMERIC_KINDS:
        return None
    low = typed_key(kind, flt.value)
    high = typed_key(kind, flt.high) if flt.op == "BETWEEN" else low
    if low is None or high is None or low[0] != 0 or high[0] != 0:
        return None
    first, second = low[1], high[1]
    if not (
        isinstance(first, float)
        and isinstance(second, float)
        and math.isfinite(first)
        and math.isfinite(second)
    ):
        return None
    return flt.op, first, second


def _narrow(
    index: list[tuple[int, int]], start: int, end: int, bounds: list[Bound], probe: Probe
) -> tuple[int, int]:
    """``[start, end)`` cut by every bound; ``probe(v, right)`` is the index entry to bisect
    for value ``v`` (``right``: past entries equal to ``v``)."""
    for op, low, high in bounds:
        if op in ("GT", "GTE", "EQ", "BETWEEN"):
            strict = op == "GT"
            cut = bisect.bisect_right if strict else bisect.bisect_left
            start = max(start, cut(index, probe(low, strict)))
        if op in ("LT", "LTE", "EQ", "BETWEEN"):
            strict = op == "LT"
            cut = bisect.bisect_left if strict else bisect.bisect_right
            end = min(end, cut(index, probe(high, not strict)))
    return start, max(start, end)
