"""Conflict-safe write-back: one re-read query and one sObject Collections PATCH per 200 records.

Before each attempt at a batch (the first and every retry) we re-read ``Id, SystemModstamp,
LastModifiedById`` and the fields being changed or evaluated, then decide per correction:
already applied (idempotent re-send after a crash: no write), changed by someone else since
evaluation (CONFLICT: never clobber a human edit; see :mod:`connectors.conflicts`), deleted
(DEAD), or included in the PATCH. Collections run with ``allOrNone: false`` so one bad record
does not sink the batch; its SaveResult becomes that correction's outcome.
https://developer.salesforce.com/docs/platform/api-rest/guide/resources-composite-sobjects-collections-update.html
``LastModifiedById`` names who saved last (the API user for leadloop's own writes):
https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/system_fields.htm
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from connectors.base import (
    Correction,
    MalformedAnswer,
    OutcomeStatus,
    WriteOutcome,
)
from connectors.batching import as_retried, chunks, merge_by_record, spread_outcomes
from connectors.conflicts import changed_stamp, changed_value, landed
from connectors.salesforce.errors import TRANSIENT_CODES
from connectors.salesforce.fields import typed_changes
from connectors.salesforce.reread import FIELD_NAME, Shared, reread
from connectors.salesforce.streams import Api, parse_datetime

BATCH_SIZE = 200  # sObject Collections maximum
#: per-record codes that may succeed on a later attempt
_RETRY_CODES = TRANSIENT_CODES | {"ALL_OR_NONE_OPERATION_ROLLED_BACK"}


@dataclass(frozen=True)
class Target:
    """The object written to, its fields' describe ``type`` (values are sent typed) and
    leadloop's API user (the ``LastModifiedById`` of its own saves; None when unknown)."""

    object_name: str
    types: Mapping[str, str]
    user_id: str | None = None


@dataclass(frozen=True)
class Plan:
    """What one batch will do: outcomes decided without writing, and records to PATCH."""

    decided: dict[str, WriteOutcome]  # by correction key
    to_write: list[Correction]


def same_value(current: Any, target: str | None) -> bool:
    """Whether a CRM value (JSON typed) already equals a correction's target (str or None)."""
    if target is None or target == "":
        return current is None or current == ""
    if isinstance(current, bool):
        return target.lower() == str(current).lower()
    if isinstance(current, float) and current.is_integer():
        return target in (str(current), str(int(current)))
    return current is not None and str(current) == target


def _outcome(
    c: Correction,
    status: OutcomeStatus,
    message: str | None = None,
    applied: bool = False,
    new_modstamp: datetime | None = None,
) -> WriteOutcome:
    return WriteOutcome(c.key, c.record_id, status, message, applied, new_modstamp)


def _refusal(correction: Correction, types: Mapping[str, str]) -> WriteOutcome | None:
    """DEAD for a correction no record could take (bad or unknown field, untyped value)."""
    names = (*correction.changes, *correction.expected)
    bad = [name for name in names if not FIELD_NAME.match(name)]
    if bad:
        return _outcome(correction, OutcomeStatus.DEAD, f"invalid field name {bad[0]!r}")
    unknown = [name for name in correction.changes if name not in types]
    if unknown:
        return _outcome(correction, OutcomeStatus.DEAD, f"no field {unknown[0]} on this object")
    try:
        typed_changes(correction, types)
    except ValueError as exc:
        return _outcome(correction, OutcomeStatus.DEAD, f"bad value: {exc}")
    return None


def decide(
    correction: Correction,
    current: Mapping[str, Any] | None,
    types: Mapping[str, str],
    user_id: str | None = None,
) -> WriteOutcome | None:
    """The outcome known before writing, or None when the correction must be written.

    ``user_id`` is leadloop's API user (None when unknown): a save since evaluation by that
    user is leadloop's own and refuses nothing by its stamp; the values still decide.
    """
    refused = _refusal(correction, types)
    if refused is not None:
        return refused
    if current is None:
        return _outcome(correction, OutcomeStatus.DEAD, "record not found")
    if current.get("IsDeleted"):
        return _outcome(correction, OutcomeStatus.DEAD, "record deleted")
    stamp = parse_datetime(str(current["SystemModstamp"]))
    by_us = None if user_id is None else current.get("LastModifiedById") == user_id
    if all(same_value(current.get(k), v) for k, v in correction.changes.items()):
        # already there: nothing to write; ours when an earlier attempt may have sent it
        applied = landed(correction, stamp, by_us)
        return _outcome(correction, OutcomeStatus.SENT, applied=applied, new_modstamp=stamp)
    why = changed_value(correction, current, same_value) or changed_stamp(
        correction, stamp, by_us is True
    )
    return None if why is None else _outcome(correction, OutcomeStatus.CONFLICT, why)


def plan(
    api: Api[Any],
    target: Target,
    batch: Sequence[Correction],
    sent: set[str],
    shared: Shared | None = None,
) -> Plan:
    """Re-read the batch's records in one query and decide each correction (``sent``: records
    an earlier attempt of this write may have changed; ``shared``: read its leads too)."""
    if shared is None:
        current = reread(api, target.object_name, batch)
    else:
        current = reread(api, target.object_name, [*batch, *shared.also], shared.extra)
        shared.rows = current
    decided, to_write = {}, []
    for correction in (as_retried(c, sent) for c in batch):
        found = current.get(correction.record_id)
        outcome = decide(correction, found, target.types, target.user_id)
        if outcome is None:
            to_write.append(correction)
        else:
            decided[correction.key] = outcome
    return Plan(decided, to_write)


def collection_body(
    object_name: str, to_write: Sequence[Correction], types: Mapping[str, str]
) -> dict[str, Any]:
    """The Collections PATCH body (``allOrNone: false``)."""
    records = [
        {"attributes": {"type": object_name}, "id": c.record_id, **typed_changes(c, types)}
        for c in to_write
    ]
    return {"allOrNone": False, "records": records}


def save_outcome(correction: Correction, result: Mapping[str, Any]) -> WriteOutcome:
    """One SaveResult (``{"id", "success", "errors": [{"statusCode", "message", "fields"}]}``)."""
    if result.get("success"):
        return _outcome(correction, OutcomeStatus.SENT, applied=True)
    errors = result.get("errors") or [{}]
    code = str(errors[0].get("statusCode", "UNKNOWN"))
    text = str(errors[0].get("message", ""))
    fields = errors[0].get("fields") or []
    if code in _RETRY_CODES:
        return _outcome(correction, OutcomeStatus.RETRY, f"{code}: {text}")
    if code == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST":
        name = fields[0] if fields else next(iter(correction.changes), "?")
        value = correction.changes.get(name)
        return _outcome(
            correction,
            OutcomeStatus.DEAD,
            f"{name}: value {value!r} is not allowed by the restricted picklist ({text})",
        )
    if code == "FIELD_CUSTOM_VALIDATION_EXCEPTION":
        return _outcome(correction, OutcomeStatus.DEAD, f"validation rule: {text}")
    if code == "CANNOT_UPDATE_CONVERTED_LEAD":
        return _outcome(
            correction, OutcomeStatus.DEAD, f"converted lead cannot be updated ({text})"
        )
    if code == "ENTITY_IS_DELETED":
        return _outcome(correction, OutcomeStatus.DEAD, "record deleted")
    return _outcome(correction, OutcomeStatus.DEAD, f"{code}: {text}")


def send(
    api: Api[Any], object_name: str, to_write: Sequence[Correction], types: Mapping[str, str]
) -> list[WriteOutcome]:
    """PATCH the records in one Collections call; one outcome per correction, in order."""
    body = collection_body(object_name, to_write, types)

    def patch(sf: Any) -> list[Any]:
        return save_results(sf.restful("composite/sobjects", method="PATCH", json=body), body)

    results = api("composite", patch)
    return [save_outcome(c, r) for c, r in zip(to_write, results, strict=True)]


def save_results(answer: Any, body: Mapping[str, Any]) -> list[Any]:
    """The Collections answer if it is one SaveResult object per record sent, in order."""
    sent = len(body["records"])
    if not isinstance(answer, list) or len(answer) != sent:
        what = f"{len(answer)} items" if isinstance(answer, list) else type(answer).__name__
        raise MalformedAnswer(f"Collections PATCH answered {what} for {sent} records")
    if not all(isinstance(r, dict) and isinstance(r.get("success"), bool) for r in answer):
        raise MalformedAnswer("Collections PATCH answer holds items that are not SaveResults")
    return answer


#: ``retried(operation, attempt)`` runs ``attempt()`` under the retry policy as a whole
Retried = Callable[[str, Callable[[], dict[str, WriteOutcome]]], dict[str, WriteOutcome]]


def write_batch(
    api: Api[Any],
    target: Target,
    batch: Sequence[Correction],
    sent: set[str],
    shared: Shared | None = None,
) -> dict[str, WriteOutcome]:
    """One attempt at a batch: re-read it, decide each correction, PATCH what still needs it.

    ``api`` sends each call once: after a failed or ambiguous PATCH (5xx, timeout, dropped
    connection, odd answer) the whole attempt is retried, so a person's edit made meanwhile
    is seen by the next re-read and never overwritten by a blind re-send. ``sent`` collects the
    records a PATCH went out for: a retry that finds their target values records them as
    applied (the write landed, its answer was lost).
    """
    batch_plan = plan(api, target, batch, sent, shared)
    outcomes = dict(batch_plan.decided)
    if batch_plan.to_write:
        sent.update(c.record_id for c in batch_plan.to_write)
        written = send(api, target.object_name, batch_plan.to_write, target.types)
        outcomes.update((o.key, o) for o in written)
    return outcomes


def write(
    api: Api[Any],
    retried: Retried,
    target: Target,
    corrections: Sequence[Correction],
    shared: Shared | None = None,
) -> list[WriteOutcome]:
    """Every correction's outcome, in input order (two calls per batch when nothing fails).

    A record's corrections are merged into one update first: one record per Collections
    request at most (it refuses duplicate ids), and all of a record's changes in one PATCH.
    ``shared`` is used when everything fits one batch (its rows stay None otherwise).
    """
    updates = merge_by_record(corrections)
    if shared is not None and len(updates) > BATCH_SIZE:
        shared = None
    outcomes: dict[str, WriteOutcome] = {}
    for batch in chunks([u.correction for u in updates], BATCH_SIZE):
        attempt = functools.partial(write_batch, api, target, batch, set(), shared)
        outcomes.update(retried("write", attempt))
    spread = spread_outcomes(updates, outcomes)
    return [spread[c.key] for c in corrections]
