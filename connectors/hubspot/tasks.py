"""Review flags as tasks for the contact's owner (the ``task`` flag channel).

A :data:`~connectors.base.TASK_FIELD` correction asks for leadloop's one open task on a contact
to say a text (or, with None, to be completed). Per attempt at up to 100 contacts: one batch
read of the contacts (owner, stamp, the values the flag was decided on) and one of the tasks
leadloop wrote for them (``remote_id``); a task that may have been created by an attempt whose
answer was lost is looked for among the contact's associated tasks (one read by id each,
consistent at once, unlike search). A task is created per call, associated with the contact
(type 204) and owned by the contact's owner: ``POST /crm/v3/objects/tasks`` answers 200 in live
portals, where the SDK's ``create()`` returns None, so the raw JSON is read. Changes and
completions go in one batch update. Tasks guide:
https://developers.hubspot.com/docs/api-reference/legacy/crm/activities/tasks/guide
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from hubspot.crm.objects.tasks import (
    AssociationSpec,
    BatchInputSimplePublicObjectBatchInput,
    PublicAssociationsForObject,
    PublicObjectId,
    SimplePublicObjectBatchInput,
    SimplePublicObjectInputForCreate,
)

from connectors.base import TASK_FIELD, Correction, OutcomeStatus, WriteOutcome
from connectors.batching import as_retried, chunks
from connectors.conflicts import changed_value
from connectors.hubspot.client import CONTACTS_BATCH, HubSpotApi
from connectors.hubspot.streams import BATCH_SHAPE, Contact, contacts_of
from connectors.hubspot.writer import BATCH_LIMIT, same

PREFIX = "leadloop:"
DONE = "COMPLETED"
TASK_TO_CONTACT = 204  # HUBSPOT_DEFINED association type (tasks guide)
TASK_PROPERTIES = ["hs_task_subject", "hs_task_status"]
NOTE = "leadloop found something to review on this contact; it completes this task once fixed."


@dataclass(frozen=True)
class Step:
    """One task correction: its outcome now, or a task to create / properties to update."""

    correction: Correction
    outcome: WriteOutcome | None = None
    create: dict[str, str] | None = None
    task_id: str | None = None
    update: dict[str, str] | None = None


class TaskWriter:
    """Writes review flags as contact owners' tasks (see the module docstring)."""

    def __init__(self, api: HubSpotApi, clock: Callable[[], datetime]) -> None:
        self.api = api
        self.clock = clock

    def write(self, tasks: Sequence[Correction]) -> dict[str, WriteOutcome]:
        """Each task correction's outcome, by key."""
        outcomes: dict[str, WriteOutcome] = {}
        for batch in chunks(list(tasks), BATCH_LIMIT):
            attempt = functools.partial(self._attempt, batch, set())
            outcomes.update(self.api.retried("tasks", attempt))
        return outcomes

    def _attempt(self, batch: Sequence[Correction], sent: set[str]) -> dict[str, WriteOutcome]:
        batch = [as_retried(c, sent) for c in batch]
        contacts = self._contacts(batch)
        open_tasks = self._open_tasks(batch)
        steps = [_step(c, contacts.get(c.record_id), open_tasks.get(c.record_id)) for c in batch]
        sent.update(s.correction.record_id for s in steps if s.outcome is None)
        outcomes = {s.correction.key: s.outcome for s in steps if s.outcome is not None}
        for step in steps:
            if step.create is not None:
                outcomes[step.correction.key] = self._create(step)
        outcomes.update(self._update([s for s in steps if s.update is not None]))
        return outcomes

    def _contacts(self, batch: Sequence[Correction]) -> dict[str, Contact]:
        names = {"hubspot_owner_id", *(n for c in batch for n in c.expected)}
        ids = [c.record_id for c in batch]
        data = self.api.batch_read(
            "batch_read", CONTACTS_BATCH, ids, sorted(names - {TASK_FIELD}), once=True
        )
        return {c.id: c for c in contacts_of(data)}

    def _open_tasks(self, batch: Sequence[Correction]) -> dict[str, Contact]:
        """The open leadloop task of each contact: the one leadloop wrote last, or (when an
        earlier attempt may have created one) one associated with the contact."""
        candidates: dict[str, list[str]] = {}
        for c in batch:
            known = [c.remote_id] if c.remote_id else []
            candidates[c.record_id] = known + (
                self._associated(c.record_id) if c.maybe_sent else []
            )
        found = self._read_tasks(sorted({t for ids in candidates.values() for t in ids}))
        result = {}
        for contact_id, ids in candidates.items():
            task = next((found[t] for t in ids if t in found and _open_and_ours(found[t])), None)
            if task is not None:
                result[contact_id] = task
        return result

    def _associated(self, contact_id: str) -> list[str]:
        endpoint = self.api.endpoint("crm.contacts.basic_api").get_by_id_with_http_info
        data, _ = self.api.call_json(
            "contact_tasks", endpoint, contact_id, associations=["tasks"], once=True
        )
        links = ((data.get("associations") or {}).get("tasks") or {}).get("results") or []
        return [str(link["id"]) for link in links if isinstance(link, dict) and "id" in link]

    def _read_tasks(self, task_ids: Sequence[str]) -> dict[str, Contact]:
        if not task_ids:
            return {}
        data = self.api.batch_read(
            "tasks_read", "crm.objects.tasks.batch_api", task_ids, TASK_PROPERTIES, once=True
        )
        return {t.id: t for t in contacts_of(data)}

    def _create(self, step: Step) -> WriteOutcome:
        c = step.correction
        assert step.create is not None
        body = SimplePublicObjectInputForCreate(
            properties={**step.create, "hs_timestamp": self.clock().isoformat()},
            associations=[
                PublicAssociationsForObject(
                    to=PublicObjectId(id=c.record_id),
                    types=[
                        AssociationSpec(
                            association_category="HUBSPOT_DEFINED",
                            association_type_id=TASK_TO_CONTACT,
                        )
                    ],
                )
            ],
        )
        endpoint = self.api.endpoint("crm.objects.tasks.basic_api").create_with_http_info
        data, _ = self.api.call_json("tasks_create", endpoint, body, shape={"id": str}, once=True)
        return _sent(c, True, str(data["id"]))

    def _update(self, steps: Sequence[Step]) -> dict[str, WriteOutcome]:
        if not steps:
            return {}
        request = BatchInputSimplePublicObjectBatchInput(
            inputs=[SimplePublicObjectBatchInput(id=s.task_id, properties=s.update) for s in steps]
        )
        endpoint = self.api.endpoint("crm.objects.tasks.batch_api").update_with_http_info
        data, _ = self.api.call_json(
            "tasks_update", endpoint, request, shape=BATCH_SHAPE, once=True
        )
        done = {t.id for t in contacts_of(data)}
        return {
            s.correction.key: _sent(s.correction, True, s.task_id)
            if s.task_id in done
            else WriteOutcome(
                s.correction.key,
                s.correction.record_id,
                OutcomeStatus.RETRY,
                f"HubSpot did not confirm the update of task {s.task_id}",
                remote_id=s.task_id,
            )
            for s in steps
        }


def _open_and_ours(task: Contact) -> bool:
    subject = str(task.properties.get("hs_task_subject") or "")
    return subject.startswith(PREFIX) and task.properties.get("hs_task_status") != DONE


def _step(c: Correction, contact: Contact | None, task: Contact | None) -> Step:
    text = c.changes[TASK_FIELD]
    task_id = task.id if task is not None else c.remote_id
    if contact is None:
        gone = "contact not found (deleted, archived or merged away)"
        return Step(c, WriteOutcome(c.key, c.record_id, OutcomeStatus.DEAD, gone))
    if (task.properties.get("hs_task_subject") if task else None) == text:
        return Step(c, _sent(c, c.maybe_sent, task_id))  # already says it (None: none open)
    # the values the flag was decided on tell (not the stamp: leadloop's own fix of the same
    # contact, sent just before, moves it, and HubSpot names no last modifier)
    values = {k: v for k, v in c.expected.items() if k != TASK_FIELD}
    why = changed_value(replace(c, expected=values), contact.properties, same)
    if why is not None:
        return Step(c, WriteOutcome(c.key, c.record_id, OutcomeStatus.CONFLICT, why))
    if task is None:
        assert text is not None  # nothing open and nothing to say was handled above
        return Step(c, create=_new_task(text, contact))
    update = {"hs_task_status": DONE} if text is None else _texts(text)
    return Step(c, task_id=task.id, update=update)


def _new_task(text: str, contact: Contact) -> dict[str, str]:
    owner = contact.properties.get("hubspot_owner_id")
    fields = {**_texts(text), "hs_task_status": "NOT_STARTED", "hs_task_type": "TODO"}
    return {**fields, "hubspot_owner_id": str(owner)} if owner else fields


def _texts(text: str) -> dict[str, str]:
    return {"hs_task_subject": text, "hs_task_body": f"{text}\n\n{NOTE}"}


def _sent(c: Correction, applied: bool, task_id: str | None) -> WriteOutcome:
    return WriteOutcome(c.key, c.record_id, OutcomeStatus.SENT, None, applied, None, task_id)


def utc_now() -> datetime:
    """The real clock, read when a task is created (its due date)."""
    return datetime.now(UTC)
