"""Writing corrections: conflict-checked batch updates, 100 contacts per call.

Per batch attempt: ONE batch read of ``lastmodifieddate`` and the changed properties, then ONE
batch update of what still needs writing, so 100 corrections cost 2 calls. A failed attempt
(5xx, timeout, dropped connection, odd answer) is retried whole: read and decided again.
Decisions per correction:

* contact missing (archived, merged away, never existed) -> DEAD;
* values already equal -> SENT, nothing written (``""`` and None are equal: HubSpot clears a
  property with ``""``); ``applied`` when an earlier attempt may have written them (a retry
  after a lost answer, a batch in flight at a crash) and the contact was modified since;
* a changed or evaluated property no longer holding its evaluated value, or a contact
  modified after ``expected_modstamp`` -> CONFLICT (a person edited it; see
  :mod:`connectors.conflicts`);
* an enumeration value that is not an option -> DEAD, or the option is added first when
  ``create_missing_options`` is on (one PATCH per property per :meth:`write`);
* otherwise written (``update_with_http_info`` read as raw JSON, so 200 and 207 both parse).
  A 207 answer names failed inputs in ``errors[].context.ids`` -> DEAD with
  HubSpot's message; inputs missing from both ``results`` and ``errors`` -> RETRY.

A whole-batch 400 (HubSpot refuses some invalid values for the batch as a whole) is narrowed
down to the bad input by bisection that sends the suspected inputs last and never re-sends a
part already known to fail (:meth:`ContactWriter._isolate`); it costs calls only when it
happens. A contact's corrections are merged into one input first.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

from hubspot.crm.contacts import (
    BatchInputSimplePublicObjectBatchInput,
    SimplePublicObjectBatchInput,
)

from connectors.base import (
    Correction,
    OutcomeStatus,
    WriteOutcome,
)
from connectors.batching import as_retried, chunks, merge_by_record, spread_outcomes
from connectors.conflicts import changed_stamp, changed_value, landed
from connectors.hubspot.client import CONTACTS_BATCH, HubSpotApi
from connectors.hubspot.errors import RefusedInput
from connectors.hubspot.properties import PropertyCatalog, not_an_option
from connectors.hubspot.search import MODSTAMP
from connectors.hubspot.streams import BATCH_SHAPE, Contact, contacts_of, parse_stamp

BATCH_LIMIT = 100
Indexed = list[tuple[int, Correction]]


def same(a: str | None, b: str | None) -> bool:
    """HubSpot stores a cleared property as "" or null: treat both as empty."""
    return (a or "") == (b or "")


class ContactWriter:
    """Applies corrections to contacts (see the module docstring)."""

    def __init__(self, api: HubSpotApi, catalog: PropertyCatalog) -> None:
        self.api = api
        self.catalog = catalog

    def write(self, corrections: Sequence[Correction]) -> list[WriteOutcome]:
        """One outcome per correction, in order. A contact's corrections are merged into one
        update first (one input per contact: a batch refuses duplicate ids)."""
        if self.catalog.create_missing_options:
            self._add_missing_options(corrections)
        updates = merge_by_record(corrections)
        merged = list(enumerate(u.correction for u in updates))
        outcomes: dict[str, WriteOutcome] = {}
        for batch in chunks(merged, BATCH_LIMIT):
            attempt = functools.partial(self._write_batch, list(batch), set())
            outcomes.update((o.key, o) for _, o in self.api.retried("write", attempt))
        spread = spread_outcomes(updates, outcomes)
        return [spread[c.key] for c in corrections]

    def _add_missing_options(self, corrections: Sequence[Correction]) -> None:
        wanted: dict[str, list[str]] = {}
        for item in corrections:
            for name, value in self.catalog.invalid_values(item.changes).items():
                wanted.setdefault(name, []).append(value)
        if wanted:
            self.catalog.add_options(wanted)

    def _write_batch(self, batch: Indexed, sent: set[str]) -> list[tuple[int, WriteOutcome]]:
        """One attempt: read, decide, update; every call is sent once, and a failed attempt
        is retried whole (a person's edit meanwhile is seen by the next read). ``sent``
        collects the contacts an update went out for: a retry finding their target values
        records them as applied (the update landed, its answer was lost)."""
        current = self._read(batch)
        done: list[tuple[int, WriteOutcome]] = []
        todo: Indexed = []
        for index, original in batch:
            item = as_retried(original, sent)
            outcome = self._decide(item, current.get(item.record_id))
            if outcome is None:
                todo.append((index, item))
            else:
                done.append((index, outcome))
        sent.update(item.record_id for _, item in todo)
        return done + self._update(todo)

    def _read(self, batch: Indexed) -> dict[str, Contact]:
        names = sorted({MODSTAMP, *(n for _, c in batch for n in (*c.changes, *c.expected))})
        ids = [c.record_id for _, c in batch]
        data = self.api.batch_read("batch_read", CONTACTS_BATCH, ids, names, once=True)
        return {c.id: c for c in contacts_of(data)}

    def _decide(self, item: Correction, obj: Contact | None) -> WriteOutcome | None:
        """The outcome without writing, or None when the correction must be written."""
        if obj is None:
            return _outcome(
                item, OutcomeStatus.DEAD, "contact not found (deleted, archived or merged away)"
            )
        props = obj.properties
        stamp = parse_stamp(props.get(MODSTAMP))
        if all(same(props.get(name), value) for name, value in item.changes.items()):
            applied = landed(item, stamp, None)
            return _outcome(item, OutcomeStatus.SENT, applied=applied, new_modstamp=stamp)
        why = changed_value(item, props, same) or changed_stamp(item, stamp)
        if why is not None:
            return _outcome(item, OutcomeStatus.CONFLICT, why.replace("record", "contact", 1))
        bad = self.catalog.invalid_values(item.changes)
        if bad:
            name, value = next(iter(bad.items()))
            return _outcome(item, OutcomeStatus.DEAD, not_an_option(name, value))
        return None

    def _update(self, todo: Indexed) -> list[tuple[int, WriteOutcome]]:
        if not todo:
            return []
        try:
            data = self._send(todo)
        except RefusedInput as exc:
            return self._isolate(todo, exc)
        return _answers(todo, data)

    def _isolate(self, todo: Indexed, exc: RefusedInput) -> list[tuple[int, WriteOutcome]]:
        """``todo`` was refused as a whole for one bad input or more: find them with few calls.

        Send the part least likely to hold a bad input (inputs whose values HubSpot's message
        names are suspects, else the first half): when it passes, the rest holds the bad input
        and is split again without being sent whole; a lone input left is DEAD unsent. One bad
        input among 100 costs 2 update calls when the message names its value, 11 when it does
        not (plain halving, sending both halves every time, cost 13).
        """
        if len(todo) == 1:
            index, item = todo[0]
            return [(index, _outcome(item, OutcomeStatus.DEAD, str(exc)))]
        first, rest = split_suspects(todo, str(exc))
        try:
            data = self._send(first)
        except RefusedInput as inner:
            return self._isolate(first, inner) + self._update(rest)
        return _answers(first, data) + self._isolate(rest, exc)

    def _send(self, todo: Indexed) -> dict[str, Any]:
        request = BatchInputSimplePublicObjectBatchInput(
            inputs=[
                SimplePublicObjectBatchInput(id=c.record_id, properties=_wire(c.changes))
                for _, c in todo
            ]
        )
        batch_api = self.api.endpoint("crm.contacts.batch_api")
        data, _ = self.api.call_json(
            "batch_update",
            batch_api.update_with_http_info,
            request,
            shape=BATCH_SHAPE,
            once=True,
        )
        return data


def split_suspects(todo: Indexed, message: str) -> tuple[Indexed, Indexed]:
    """(unsuspected, suspected) inputs of a refused batch, else its two halves.

    HubSpot's whole-batch 400 names the refused property and value but not the input
    (``Property values were not valid: [{"message":"x was not one of the allowed options..",
    "name":"hs_lead_status"..}]``): an input is suspected when one of its values appears in it.
    """
    suspected = [
        (index, item)
        for index, item in todo
        if any(value and len(value) > 1 and value in message for value in item.changes.values())
    ]
    if 0 < len(suspected) < len(todo):
        chosen = {index for index, _ in suspected}
        return [pair for pair in todo if pair[0] not in chosen], suspected
    middle = len(todo) // 2
    return todo[:middle], todo[middle:]


def _wire(changes: Mapping[str, str | None]) -> dict[str, str]:
    """HubSpot clears a property with "" (null is refused by some property types)."""
    return {name: "" if value is None else value for name, value in changes.items()}


def _answers(todo: Indexed, data: Mapping[str, Any]) -> list[tuple[int, WriteOutcome]]:
    """Per-input outcomes of a 200 or 207 batch update answer."""
    written = {c.id: c for c in contacts_of(data)}
    failed: dict[str, str] = {}
    for problem in data.get("errors") or []:
        message = f"{problem.get('category')}: {problem.get('message')}"[:300]
        for record_id in (problem.get("context") or {}).get("ids") or []:
            failed[str(record_id)] = message
    answers = []
    for index, item in todo:
        obj = written.get(item.record_id)
        if obj is not None:
            stamp = parse_stamp(obj.properties.get(MODSTAMP))
            answers.append(
                (index, _outcome(item, OutcomeStatus.SENT, applied=True, new_modstamp=stamp))
            )
        elif item.record_id in failed:
            answers.append((index, _outcome(item, OutcomeStatus.DEAD, failed[item.record_id])))
        else:
            answers.append(
                (
                    index,
                    _outcome(
                        item,
                        OutcomeStatus.RETRY,
                        "HubSpot neither confirmed nor refused this input",
                    ),
                )
            )
    return answers


def _outcome(
    item: Correction,
    status: OutcomeStatus,
    message: str | None = None,
    *,
    applied: bool = False,
    new_modstamp: Any = None,
) -> WriteOutcome:
    return WriteOutcome(item.key, item.record_id, status, message, applied, new_modstamp)


__all__ = ["ContactWriter", "same"]
