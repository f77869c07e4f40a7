"""Review flags as Tasks for the lead's owner (the ``task`` flag channel).

A :data:`~connectors.base.TASK_FIELD` correction asks for leadloop's one open Task on a lead
to say a text (or, with None, to be closed). Per attempt at up to 200 leads: one query
re-reads the leads (owner, stamps, the values the flag was decided on) and, in a
parent-to-child subquery on the Lead's ``Tasks`` relationship (``WhoId``), each lead's oldest
open leadloop Task (``Subject`` starting with ``leadloop:``); on a first attempt after a field
write of the same leads, that write's re-read serves, its writes applied (:mod:`.reread`).
https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_relationships_query_using.htm
One Collections POST creates the missing ones (``OwnerId`` = the lead's owner when a user owns
it; a queue cannot own a Task, so those go to leadloop's API user). Changing or closing an
existing Task is a single-record PATCH with ``If-Unmodified-Since`` set to the Task's
``LastModifiedDate`` as read: a rep's edit since then answers 412 and wins (CONFLICT).
https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_task.htm
https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/intro_rest_conditional_requests.htm
A lead whose status or reasons no longer read as evaluated gets no task (CONFLICT).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from email.utils import format_datetime
from typing import Any

from simple_salesforce.exceptions import (
    SalesforceError,
    SalesforceMalformedRequest,
    SalesforceResourceNotFound,
)

from connectors.base import TASK_FIELD, Correction, MalformedAnswer, OutcomeStatus, WriteOutcome
from connectors.batching import as_retried, chunks
from connectors.conflicts import changed_value
from connectors.salesforce import writer
from connectors.salesforce.errors import error_message
from connectors.salesforce.reread import Rows, reread
from connectors.salesforce.streams import Api, parse_datetime

PREFIX = "leadloop:"
DONE = "Completed"  # a closed TaskStatus of every org (the emulator's and the default set)
NOTE = (
    "leadloop found something to review on this lead. Fix it on the lead; leadloop closes "
    "this task once it reads the lead fixed."
)


@dataclass(frozen=True)
class Step:
    """What one task correction needs: its outcome now, or a create / a PATCH of a task."""

    correction: Correction
    outcome: WriteOutcome | None = None
    create: dict[str, Any] | None = None
    task_id: str | None = None
    patch: dict[str, Any] | None = None
    since: datetime | None = None


#: the nested answer (None: no such task) holding each lead's oldest open leadloop Task:
#: LIMIT applies per lead; the re-read is a queryAll, which shows deleted rows, hence IsDeleted
#: https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_relationships_query_results.htm
TASKS = "Tasks"
OPEN_TASK = (
    "(SELECT Id, Subject, LastModifiedDate FROM Tasks WHERE IsClosed = false "
    "AND IsDeleted = false AND Subject LIKE 'leadloop:%' ORDER BY CreatedDate, Id LIMIT 1)"
)
#: what the task step reads of each open task (the subquery selects them)
TASK_KEYS = ("Id", "Subject", "LastModifiedDate")
#: what the task step reads of a lead besides the values its flag was decided on
LEAD_FIELDS = ("OwnerId", OPEN_TASK)


def write_tasks(
    api: Api[Any],
    retried: writer.Retried,
    target: writer.Target,
    tasks: Sequence[Correction],
    read: Rows | None = None,
) -> dict[str, WriteOutcome]:
    """Each task correction's outcome, by key (up to 200 leads per attempt). ``read``: the
    leads as the field write re-read them, its own writes applied; the first attempt decides
    on it instead of reading them again (every retry reads)."""
    outcomes: dict[str, WriteOutcome] = {}
    first = [read] if read is not None and len(tasks) <= writer.BATCH_SIZE else []
    for batch in chunks(list(tasks), writer.BATCH_SIZE):
        attempt = functools.partial(_attempt, api, target, batch, set(), first)
        outcomes.update(retried("tasks", attempt))
    return outcomes


def _attempt(
    api: Api[Any],
    target: writer.Target,
    batch: Sequence[Correction],
    sent: set[str],
    first: list[Rows],
) -> dict[str, WriteOutcome]:
    """Read the leads (unless ``first`` holds them, once) and their open tasks, decide, then
    create and PATCH what is needed."""
    leads = first.pop() if first else reread(api, target.object_name, batch, LEAD_FIELDS)
    steps = []
    for correction in (as_retried(c, sent) for c in batch):
        lead = leads.get(correction.record_id)
        steps.append(_step(correction, lead, open_task(lead)))
    sent.update(s.correction.record_id for s in steps if s.outcome is None)
    outcomes = {s.correction.key: s.outcome for s in steps if s.outcome is not None}
    outcomes.update(_create(api, [s for s in steps if s.create is not None]))
    for step in steps:
        if step.patch is not None:
            outcomes[step.correction.key] = _patch(api, step)
    return outcomes


def open_task(lead: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    """The lead's oldest open leadloop Task from the re-read's subquery (None: none open)."""
    if lead is None or lead.get(TASKS) is None:
        return None
    nested = lead[TASKS]
    records = nested.get("records") if isinstance(nested, dict) else None
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise MalformedAnswer(f"re-read of lead {lead.get('Id')} holds no {TASKS} query result")
    task = records[0] if records else None
    if task is not None and not all(isinstance(task.get(k), str) for k in TASK_KEYS):
        raise MalformedAnswer(
            f"re-read of lead {lead.get('Id')}: its open task lacks one of {', '.join(TASK_KEYS)}"
        )
    return task


def _step(c: Correction, lead: Mapping[str, Any] | None, task: Mapping[str, Any] | None) -> Step:
    text = c.changes[TASK_FIELD]
    task_id = str(task["Id"]) if task else c.remote_id
    if lead is None or lead.get("IsDeleted"):
        gone = "record not found" if lead is None else "record deleted"
        return Step(c, WriteOutcome(c.key, c.record_id, OutcomeStatus.DEAD, gone))
    if (task["Subject"] if task else None) == text:  # already says it (None: none open)
        # a task write never moves the lead's stamp: an attempt that may have sent it did it
        return Step(c, _sent(c, c.maybe_sent, task_id))
    # the values the flag was decided on tell (not the stamp: leadloop's own fix of the same
    # lead, sent just before, moves it)
    lead_values = {k: v for k, v in c.expected.items() if k != TASK_FIELD}
    why = changed_value(replace(c, expected=lead_values), lead, writer.same_value)
    if why is not None:
        return Step(c, WriteOutcome(c.key, c.record_id, OutcomeStatus.CONFLICT, why))
    if task is None:
        assert text is not None  # nothing open and nothing to say was handled above
        return Step(c, create=_new_task(c, text, lead))
    fields = {"Status": DONE} if text is None else {"Subject": text, "Description": _note(text)}
    since = parse_datetime(str(task["LastModifiedDate"]))
    return Step(c, task_id=task_id, patch=fields, since=since)


def _new_task(c: Correction, text: str, lead: Mapping[str, Any]) -> dict[str, Any]:
    record: dict[str, Any] = {"attributes": {"type": "Task"}, "WhoId": c.record_id}
    owner = str(lead.get("OwnerId") or "")
    if owner.startswith("005"):  # a user; a queue (00G) cannot own a Task
        record["OwnerId"] = owner
    return {**record, "Subject": text, "Description": _note(text)}


def _note(text: str) -> str:
    return f"{text}\n\n{NOTE}"


def _sent(c: Correction, applied: bool, task_id: str | None) -> WriteOutcome:
    return WriteOutcome(c.key, c.record_id, OutcomeStatus.SENT, None, applied, None, task_id)


def _create(api: Api[Any], steps: Sequence[Step]) -> dict[str, WriteOutcome]:
    """One Collections POST for the tasks to create; each SaveResult becomes an outcome."""
    if not steps:
        return {}
    body = {"allOrNone": False, "records": [s.create for s in steps]}

    def post(sf: Any) -> list[Any]:
        return writer.save_results(sf.restful("composite/sobjects", method="POST", json=body), body)

    results = api("tasks_create", post)
    outcomes = {}
    for step, result in zip(steps, results, strict=True):
        outcome = writer.save_outcome(step.correction, result)
        outcomes[outcome.key] = replace(outcome, remote_id=result.get("id"))
    return outcomes


def _patch(api: Api[Any], step: Step) -> WriteOutcome:
    """Change or close one task, only if nobody saved it since it was read (412 otherwise)."""
    c, task_id = step.correction, str(step.task_id)
    assert step.since is not None and step.patch is not None
    headers = {"If-Unmodified-Since": format_datetime(step.since, usegmt=True)}

    def update(sf: Any) -> tuple[OutcomeStatus | None, str]:
        try:
            sf.Task.update(task_id, step.patch, headers=headers)
        except SalesforceResourceNotFound:
            return OutcomeStatus.RETRY, f"task {task_id} deleted meanwhile"
        except SalesforceMalformedRequest as exc:
            return OutcomeStatus.DEAD, error_message(exc)
        except SalesforceError as exc:
            if exc.status != 412:
                raise
            return OutcomeStatus.CONFLICT, f"task {task_id} saved by someone since leadloop read it"
        return None, ""

    refused, why = api("tasks_update", update)
    if refused is None:
        return _sent(c, True, task_id)
    return WriteOutcome(c.key, c.record_id, refused, why, remote_id=task_id)
