"""Batching helpers shared by the connectors: slices of a sequence, and a record's corrections
merged into one update (all corrections of one record travel in one write request)."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TypeVar

from connectors.base import Correction, WriteOutcome

T = TypeVar("T")


def split_tasks(corrections: Sequence[Correction]) -> tuple[list[Correction], list[Correction]]:
    """(record field corrections, review flags delivered as tasks), each in input order."""
    return [c for c in corrections if not c.is_task], [c for c in corrections if c.is_task]


def as_retried(correction: Correction, sent: Collection[str]) -> Correction:
    """``correction``, marked ``maybe_sent`` when an earlier attempt of the same write may
    have sent its record (``sent``: the record ids those attempts sent)."""
    return replace(correction, maybe_sent=True) if correction.record_id in sent else correction


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    """Consecutive slices of at most ``size`` items."""
    for index in range(0, len(items), size):
        yield items[index : index + size]


@dataclass(frozen=True)
class RecordUpdate:
    """Every correction of one record merged into ONE update, so a status and its reason
    travel in one request (a second request would meet leadloop's own first write as a
    conflict). ``correction`` is the merged one (the first member's key; later values win per
    field, for the changes and for the evaluated values; the earliest evaluated stamp; maybe
    sent when any member may be); ``members`` are the corrections it stands for."""

    correction: Correction
    members: tuple[Correction, ...]


def merge_by_record(corrections: Sequence[Correction]) -> list[RecordUpdate]:
    """One RecordUpdate per record, in the order records first appear."""
    groups: dict[str, list[Correction]] = {}
    for item in corrections:
        groups.setdefault(item.record_id, []).append(item)
    updates = []
    for record_id, members in groups.items():
        changes: dict[str, str | None] = {}
        expected: dict[str, str | None] = {}
        for member in members:
            changes.update(member.changes)
            expected.update(member.expected)
        stamps = [m.expected_modstamp for m in members if m.expected_modstamp is not None]
        merged = Correction(
            members[0].key,
            record_id,
            changes,
            min(stamps, default=None),
            expected=expected,
            maybe_sent=any(m.maybe_sent for m in members),
        )
        updates.append(RecordUpdate(merged, tuple(members)))
    return updates


def spread_outcomes(
    updates: Sequence[RecordUpdate], outcomes: Mapping[str, WriteOutcome]
) -> dict[str, WriteOutcome]:
    """Each member correction's outcome (by its key): its merged update's, under its own key."""
    return {
        member.key: replace(outcomes[update.correction.key], key=member.key)
        for update in updates
        for member in update.members
    }
