"""CRM search filters: validation against HubSpot's limits and compiled record predicates.

Limits (quirk ``search_filter_limits``): "a maximum of five filterGroups with up to six
filters in each group, with a maximum of 18 filters in total"
(https://developers.hubspot.com/docs/api-reference/latest/crm/search-the-crm, Limits); with the
quirk off, the 5 / 10 / 25 of the 2024 changelog
(https://developers.hubspot.com/changelog/breaking-change-expanded-filtering-capabilities-and-error-messaging-in-hubspots-search-api).
Groups are OR'ed, filters in a group AND'ed. Values compare by property type: numbers and
datetimes numerically (a datetime filter value may be epoch millis or ISO), strings
case-insensitively, except (quirk ``search_case_rules``, same page) enumerations, which are
case-sensitive, and IN/NOT_IN on strings, whose values must be lowercase to match. Records
without a value match only NEQ, NOT_IN and NOT_HAS_PROPERTY. The pseudo-property
``associations.{objectType}`` (EQ or IN record ids) finds records associated with those records
(same page, "Search through associations").
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from connectors.sandbox.hubspot.properties import PropertyRegistry
from connectors.sandbox.hubspot.store import Record
from connectors.sandbox.hubspot.values import SortKey, typed_key

MAX_GROUPS = 5


@dataclass(frozen=True)
class Rules:
    """How strict one search is (see the module docstring)."""

    per_group: int = 6
    total: int = 18
    case_rules: bool = True


LENIENT = Rules(per_group=10, total=25, case_rules=False)
ASSOCIATIONS = "associations."
OPERATORS = (
    "EQ",
    "NEQ",
    "LT",
    "LTE",
    "GT",
    "GTE",
    "BETWEEN",
    "IN",
    "NOT_IN",
    "HAS_PROPERTY",
    "NOT_HAS_PROPERTY",
    "CONTAINS_TOKEN",
    "NOT_CONTAINS_TOKEN",
)
RANGE_OPS = ("EQ", "LT", "LTE", "GT", "GTE", "BETWEEN")
Predicate = Callable[[Record], bool]
#: (object type named after "associations.", record) -> ids of its associated records
AssociatedIds = Callable[[str, Record], set[int]]


class SearchError(ValueError):
    """A search request HubSpot would refuse with 400 (the message says why)."""


@dataclass(frozen=True)
class Filter:
    prop: str
    op: str
    value: str | None
    high: str | None
    values: tuple[str, ...]


def parse_groups(
    raw: Any, registry: PropertyRegistry, rules: Rules = Rules()
) -> list[list[Filter]]:
    """Validated filter groups of a search body."""
    groups = raw or []
    if not isinstance(groups, list):
        raise SearchError("filterGroups must be a list")
    if len(groups) > MAX_GROUPS:
        raise SearchError(
            f"Too many filter groups: {len(groups)}. The maximum number of "
            f"filter groups is {MAX_GROUPS}."
        )
    parsed = [_parse_group(group, registry, rules) for group in groups]
    total = sum(len(group) for group in parsed)
    if total > rules.total:
        raise SearchError(
            f"Too many filters: {total}. The maximum number of filters across "
            f"all filter groups is {rules.total}."
        )
    return parsed


def _parse_group(group: Any, registry: PropertyRegistry, rules: Rules) -> list[Filter]:
    filters = group.get("filters") if isinstance(group, dict) else None
    if not isinstance(filters, list):
        raise SearchError("each filter group needs a list of filters")
    if len(filters) > rules.per_group:
        raise SearchError(
            f"Too many filters in a filter group: {len(filters)}. The maximum "
            f"number of filters per filter group is {rules.per_group}."
        )
    return [_parse_filter(item, registry) for item in filters]


def _parse_filter(item: Any, registry: PropertyRegistry) -> Filter:
    if not isinstance(item, dict):
        raise SearchError(f"a filter must be an object, not {item!r}")
    prop, op = item.get("propertyName"), str(item.get("operator") or "EQ")
    if isinstance(prop, str) and prop.startswith(ASSOCIATIONS):
        if op not in ("EQ", "IN"):
            raise SearchError(f"operator {op} is not supported on {prop}; use EQ or IN")
    elif not prop or registry.get(prop) is None:
        raise SearchError(f"Property {prop!r} does not exist on {registry.object_label}")
    if op not in OPERATORS:
        raise SearchError(
            f"Unknown operator {op!r} for property {prop}; expected one of {', '.join(OPERATORS)}"
        )
    value, high = item.get("value"), item.get("highValue")
    values = tuple(str(v) for v in item.get("values") or ())
    if op in (*RANGE_OPS, "NEQ", "CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN") and value is None:
        raise SearchError(f"operator {op} on {prop} needs a value")
    if op == "BETWEEN" and high is None:
        raise SearchError(f"operator BETWEEN on {prop} needs value and highValue")
    if op in ("IN", "NOT_IN") and not values:
        raise SearchError(f"operator {op} on {prop} needs values")
    return Filter(
        prop, op, None if value is None else str(value), None if high is None else str(high), values
    )


KeyOf = Callable[[Record], "SortKey | None"]


def compile_groups(
    groups: list[list[Filter]],
    registry: PropertyRegistry,
    fast_keys: dict[str, KeyOf] | None = None,
    *,
    rules: Rules = LENIENT,
    associated: AssociatedIds | None = None,
) -> Predicate:
    """One predicate: any group whose filters all match (no groups: everything matches).

    ``fast_keys`` gives typed keys for properties the store already holds as numbers (the id,
    the last-modified millis), sparing a parse per record; ``associated`` answers
    ``associations.*`` filters.
    """
    if not groups:
        return lambda record: True
    fast = fast_keys or {}

    def one(flt: Filter) -> Predicate:
        if flt.prop.startswith(ASSOCIATIONS):
            return _association(flt, associated)
        kind = registry.kind(flt.prop)
        return compile_filter(flt, kind, fast.get(flt.prop), exact=_exact(flt, kind, rules))

    compiled = [[one(f) for f in group] for group in groups]
    return lambda record: any(all(p(record) for p in group) for group in compiled)


def _exact(flt: Filter, kind: str, rules: Rules) -> bool:
    """Whether the filter compares values as given (no case folding of the filter value)."""
    if not rules.case_rules:
        return False
    return kind == "enumeration" or (kind == "string" and flt.op in ("IN", "NOT_IN"))


def _association(flt: Filter, associated: AssociatedIds | None) -> Predicate:
    wanted = {flt.value} if flt.op == "EQ" else set(flt.values)
    target = flt.prop[len(ASSOCIATIONS) :]

    def linked(record: Record) -> bool:
        found = associated(target, record) if associated is not None else set()
        return any(str(i) in wanted for i in found)

    return linked


def compile_filter(
    flt: Filter, kind: str, key_of: KeyOf | None = None, *, exact: bool = False
) -> Predicate:
    """A predicate for one filter on a property of HubSpot type ``kind``; ``exact``: the
    filter value is not case-folded (an enumeration value, or an IN list that must be
    lowercase), while a string record value still is."""
    if key_of is None:
        enumeration = exact and kind == "enumeration"

        def key_of(record: Record) -> SortKey | None:
            value = record.properties.get(flt.prop)
            if enumeration:
                return (0, value) if value else None
            return typed_key(kind, value)

    if flt.op in ("HAS_PROPERTY", "NOT_HAS_PROPERTY"):
        wanted = flt.op == "HAS_PROPERTY"
        return lambda r: bool(r.properties.get(flt.prop)) == wanted
    if flt.op in ("CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"):
        return _token(flt)
    as_given: Callable[[str | None], SortKey | None] = (
        (lambda v: (0, v) if v else None) if exact else (lambda v: typed_key(kind, v))
    )
    if flt.op in ("IN", "NOT_IN"):
        keys = {as_given(v) for v in flt.values}
        inside = flt.op == "IN"
        return lambda r: (key_of(r) in keys) == inside
    low = as_given(flt.value)
    high = as_given(flt.high) if flt.op == "BETWEEN" else None
    test = _comparison(flt.op, low, high)
    return lambda r: test(key_of(r))


def _comparison(
    op: str, low: SortKey | None, high: SortKey | None
) -> Callable[[SortKey | None], bool]:
    def same_shape(key: SortKey | None, other: SortKey | None) -> bool:
        return key is not None and other is not None and key[0] == other[0]

    if op == "EQ":
        return lambda key: key is not None and key == low
    if op == "NEQ":
        return lambda key: key != low
    checks: dict[str, Callable[[Any, Any], bool]] = {
        "LT": lambda k, v: k < v,
        "LTE": lambda k, v: k <= v,
        "GT": lambda k, v: k > v,
        "GTE": lambda k, v: k >= v,
    }
    if op == "BETWEEN":
        return lambda key: same_shape(key, low) and same_shape(key, high) and low <= key <= high  # type: ignore[operator]
    check = checks[op]
    return lambda key: same_shape(key, low) and check(key, low)


_WORD = re.compile(r"[\w@.+-]+")


def _token(flt: Filter) -> Predicate:
    pattern = (flt.value or "").casefold()
    wanted = flt.op == "CONTAINS_TOKEN"

    def matches(record: Record) -> bool:
        text = (record.properties.get(flt.prop) or "").casefold()
        words = [*_WORD.findall(text), text]
        return any(fnmatch.fnmatchcase(word, pattern) for word in words)

    return lambda record: matches(record) == wanted


def modified_bounds(
    groups: list[list[Filter]], props: tuple[str, ...], kind_of: Callable[[str], str]
) -> tuple[int | None, int | None] | None:
    """Millis bounds on the last-modified property every group implies (None: unbounded).

    Used to scan only a slice of the sorted last-modified index. Returns None when some group
    has no bound (the whole index must be scanned).
    """
    if not groups:
        return None
    lows: list[int | None] = []
    highs: list[int | None] = []
    for group in groups:
        low, high = _group_bounds(group, props, kind_of)
        if low is None and high is None:
            return None
        lows.append(low)
        highs.append(high)
    low_all = None if None in lows else min(v for v in lows if v is not None)
    high_all = None if None in highs else max(v for v in highs if v is not None)
    return low_all, high_all


def _group_bounds(
    group: list[Filter], props: tuple[str, ...], kind_of: Callable[[str], str]
) -> tuple[int | None, int | None]:
    low: int | None = None
    high: int | None = None
    for flt in group:
        if flt.prop not in props or flt.op not in RANGE_OPS:
            continue
        first = typed_key(kind_of(flt.prop), flt.value)
        second = typed_key(kind_of(flt.prop), flt.high) if flt.op == "BETWEEN" else first
        if first is None or first[0] != 0 or second is None or second[0] != 0:
            continue
        start, end = int(first[1]), int(second[1])
        if flt.op in ("EQ", "GT", "GTE", "BETWEEN"):
            low = start if low is None else max(low, start)
        if flt.op in ("EQ", "LT", "LTE", "BETWEEN"):
            high = end if high is None else min(high, end)
    return low, high
