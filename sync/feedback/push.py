"""The push: only what changed since the last push, 100 records a call, each batch recorded
as soon as HubSpot confirmed it.

``feedback_pushes`` keeps each record's payload hash, so an unchanged record costs nothing
and a rerun after a crash, a spent daily allowance or a storm of 429s sends exactly what is
still missing (a batch HubSpot took but leadloop did not record is upserted again: the
same values on the same records). A contact whose leadloop properties a person edited since
leadloop's last push is reported, not overwritten: clear them to hand it back.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from connectors.hubspot.client import HubSpotApi
from connectors.hubspot.contact_feedback import ContactFeedback
from connectors.hubspot.feedback_object import FeedbackObject
from connectors.hubspot.marketing import Pushed, chunks
from sync.feedback.config import FeedbackConfig
from sync.feedback.targets import (
    CONTACT_PROPERTIES,
    CUSTOM_OBJECT,
    KEY,
    OBJECT_PROPERTIES,
    ZERO,
    contact_properties,
    payload_hash,
)
from sync.store.feedback import PushRecord, forget_pushes, pushed_state, record_pushes

Payload = dict[str, str]
Records = dict[str, Payload]
ZERO_HASH = payload_hash(ZERO)
SHOWN_PROBLEMS = 10


@dataclass
class PushResult:
    """What pushing one target did (``error``: why it stopped, if it did)."""

    target: str
    records: int = 0
    changed: int = 0
    sent: int = 0
    already: int = 0
    zeroed: int = 0
    conflicts: int = 0
    ambiguous: int = 0
    failed: int = 0
    retry: int = 0
    gone: int = 0
    problems: list[str] = field(default_factory=list)
    error: str | None = None

    def note(self, problem: str) -> None:
        if len(self.problems) < SHOWN_PROBLEMS:
            self.problems.append(problem)


@dataclass
class Pusher:
    """Pushes feedback to one HubSpot portal (``api`` None: a dry run, no call at all)."""

    sessions: sessionmaker[Session]
    config: FeedbackConfig
    clock: Callable[[], datetime]
    api: HubSpotApi | None = None

    def _state(self, target: str) -> dict[str, PushRecord]:
        with self.sessions() as session:
            return pushed_state(session, target)

    def _record(self, target: str, done: Sequence[PushRecord], gone: Sequence[str] = ()) -> None:
        with self.sessions() as session:
            record_pushes(session, target, done, self.clock())
            forget_pushes(session, target, gone)
            session.commit()

    def custom_object(
        self, result: PushResult, records: Records, in_scope: Callable[[str], bool]
    ) -> None:
        """Upsert the changed records; zero the ones pushed before that no longer have leads
        (``in_scope(key)``: the key's period was aggregated by this run). ``result`` counts
        as it goes, so what was done is known when a call raises."""
        result.records, state = len(records), self._state(CUSTOM_OBJECT)
        todo = [(k, p) for k, p in records.items() if _changed(state.get(k), p)]
        stale = [
            r
            for k, r in state.items()
            if k not in records and in_scope(k) and r.payload_hash != ZERO_HASH
        ]
        result.changed = len(todo) + len(stale)
        if self.api is None or not result.changed:
            return
        config = self.config.custom_object
        target = FeedbackObject(self.api, config.name, OBJECT_PROPERTIES, KEY, create=config.create)
        target.ensure()
        for batch in chunks(todo):
            self._settle(result, target.upsert(batch), dict(batch))
        self._zero(result, target, stale)

    def _settle(
        self, result: PushResult, answers: list[Pushed], sent: Mapping[str, Payload]
    ) -> None:
        done = []
        for answer in answers:
            if answer.status == "sent":
                done.append(
                    PushRecord(answer.key, payload_hash(sent[answer.key]), answer.remote_id)
                )
                result.sent += 1
            elif answer.status == "failed":
                result.failed += 1
                result.note(f"{answer.key}: {answer.message}")
            else:
                result.retry += 1
        self._record(result.target, done)

    def _zero(self, result: PushResult, target: FeedbackObject, stale: list[PushRecord]) -> None:
        by_id = {r.remote_id: r.key for r in stale if r.remote_id}
        for batch in chunks([(remote, ZERO) for remote in by_id]):
            answers = target.update(batch)
            done = [
                PushRecord(by_id[a.key], ZERO_HASH, a.key) for a in answers if a.status == "sent"
            ]
            gone = [by_id[a.key] for a in answers if a.status == "failed"]  # deleted in HubSpot
            result.zeroed += len(done)
            self._record(result.target, done, gone)
        unknown = [r.key for r in stale if not r.remote_id]
        self._record(result.target, [], unknown)

    def contacts(
        self,
        result: PushResult,
        payloads: Records,
        ambiguous: list[str],
        labels: Mapping[str, str],
    ) -> None:
        """Write the changed contacts' properties, 100 contacts a call after one read of
        their current values (the no-clobber check)."""
        result.records, state = len(payloads), self._state(CONTACT_PROPERTIES)
        result.ambiguous = len(ambiguous)
        for line in ambiguous:
            result.note(line)
        todo = [(c, p) for c, p in payloads.items() if _changed(state.get(c), p)]
        result.changed = len(todo)
        if self.api is None or not todo:
            return
        config = self.config.contact_properties
        target = ContactFeedback(
            self.api, contact_properties(labels), group=config.group, create=config.create
        )
        target.ensure()
        for batch in chunks(todo):
            self._contact_batch(result, target, batch, state)

    def _contact_batch(
        self,
        result: PushResult,
        target: ContactFeedback,
        batch: Sequence[tuple[str, Payload]],
        state: Mapping[str, PushRecord],
    ) -> None:
        current = target.read([contact for contact, _ in batch])
        writes, already = [], []
        for contact, payload in batch:
            found = current.get(contact)
            if found is None:
                result.gone += 1
            elif payload_hash(found) == payload_hash(payload):
                already.append(PushRecord(contact, payload_hash(payload)))
            elif _untouched(found, state.get(contact)):
                writes.append((contact, payload))
            else:
                result.conflicts += 1
                result.note(
                    f"contact {contact}: its leadloop properties were changed in HubSpot "
                    f"since leadloop's last push; not overwritten"
                )
        result.already += len(already)
        self._record(result.target, already)
        if writes:
            self._settle(result, target.update(writes), dict(writes))


def _changed(pushed: PushRecord | None, payload: Mapping[str, str]) -> bool:
    return pushed is None or pushed.payload_hash != payload_hash(payload)


def _untouched(current: Mapping[str, str | None], pushed: PushRecord | None) -> bool:
    """Whether leadloop may write: the properties are empty, or hold what leadloop pushed."""
    if not any(current.values()):
        return True
    return pushed is not None and payload_hash(current) == pushed.payload_hash
