"""Review flags as Tasks for the lead's owner: one open task per lead, found before another is
created, changed only if nobody saved it since (If-Unmodified-Since), completed by leadloop."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from connectors.base import TASK_FIELD, Correction, MalformedAnswer, OutcomeStatus, WriteOutcome
from connectors.salesforce.tasks import open_task
from connectors.sandbox.salesforce.auth import USER_ID as API_USER
from connectors.sandbox.salesforce.schema import REP_USER
from tests.connectors.salesforce.harness import SalesforceHarness

ASK = "leadloop: unqualified without a reason since 2026-10-01"


@pytest.fixture
def org() -> Iterator[SalesforceHarness]:
    harness = SalesforceHarness(leads=120)
    try:
        yield harness
    finally:
        harness.stop()


def leads(org: SalesforceHarness, count: int, *, queue: bool = False) -> list[str]:
    """Live, unconverted leads owned by a user (or, with ``queue``, by a queue)."""
    return [
        row["Id"]
        for row in org.app.records()
        if not row["IsDeleted"]
        and not row["IsConverted"]
        and row["OwnerId"].startswith("00G") == queue
    ][:count]


def flag(org: SalesforceHarness, lead_id: str, text: str | None, key: str = "k") -> Correction:
    """A review flag for ``lead_id`` decided on its status and reason as they are now."""
    raw = org.raw(lead_id)
    evaluated = {name: raw[name] for name in ("Status", "Unqualified_Reason__c")}
    return Correction(
        f"{key}-{lead_id}", lead_id, {TASK_FIELD: text}, org.modstamp(lead_id), evaluated
    )


def open_tasks(org: SalesforceHarness, lead_id: str) -> list[dict[str, Any]]:
    return [
        t
        for t in org.app.task_records()
        if t["WhoId"] == lead_id and not t["IsClosed"] and t["Subject"].startswith("leadloop:")
    ]


def write(org: SalesforceHarness, flags: list[Correction]) -> list[WriteOutcome]:
    return org.connector().write(flags)


def rep_saves_task(org: SalesforceHarness, task_id: str, **fields: Any) -> None:
    """A rep edits the task in the UI a second later."""
    org.clock.advance(timedelta(seconds=1))
    with org.app.lock:
        org.app.tasks.update(org.app.tasks.require(task_id), fields, org.app.now(), REP_USER)


def test_given_flags_for_leads_when_written_then_one_task_each_for_its_owner_in_two_calls(
    org: SalesforceHarness,
) -> None:
    ids = leads(org, 5)
    before = dict(org.app.calls)

    outcomes = write(org, [flag(org, i, ASK) for i in ids])

    assert [(o.status, o.applied) for o in outcomes] == [(OutcomeStatus.SENT, True)] * 5
    for lead_id, outcome in zip(ids, outcomes, strict=True):
        (task,) = open_tasks(org, lead_id)
        assert (task["Id"], task["Subject"]) == (outcome.remote_id, ASK)
        assert task["OwnerId"] == org.raw(lead_id)["OwnerId"]
    calls = {op: n - before.get(op, 0) for op, n in org.app.calls.items()}
    # the leads with their open leadloop tasks (one query), the Collections POST
    assert (calls["query"], calls["composite_create"], calls.get("sobject_patch", 0)) == (1, 1, 0)


def test_given_a_task_already_open_when_the_flag_is_written_again_then_nothing_is_sent(
    org: SalesforceHarness,
) -> None:
    (lead_id,) = leads(org, 1)
    (first,) = write(org, [flag(org, lead_id, ASK)])

    (again,) = write(org, [flag(org, lead_id, ASK, key="again")])

    assert (again.status, again.applied, again.remote_id) == (
        OutcomeStatus.SENT,
        False,
        first.remote_id,
    )
    assert len(open_tasks(org, lead_id)) == 1 and org.app.calls["composite_create"] == 1


def test_given_a_new_flag_text_when_written_then_the_same_task_changes_if_unmodified_since(
    org: SalesforceHarness,
) -> None:
    (lead_id,) = leads(org, 1)
    (first,) = write(org, [flag(org, lead_id, ASK)])
    org.clock.advance(timedelta(seconds=5))

    (changed,) = write(org, [flag(org, lead_id, "leadloop: nurture reason is a legacy value")])

    (task,) = open_tasks(org, lead_id)
    assert (changed.status, changed.remote_id, task["Id"]) == (
        OutcomeStatus.SENT,
        first.remote_id,
        first.remote_id,
    )
    assert task["Subject"] == "leadloop: nurture reason is a legacy value"
    (patch,) = [r for r in org.app.requests if r.method == "PATCH"]
    assert patch.headers["if-unmodified-since"] == "Mon, 02 Nov 2026 09:00:00 GMT"


def test_given_a_resolved_flag_when_written_then_leadloop_completes_its_task(
    org: SalesforceHarness,
) -> None:
    (lead_id,) = leads(org, 1)
    (first,) = write(org, [flag(org, lead_id, ASK)])

    (closed,) = write(org, [flag(org, lead_id, None, key="done")])

    assert (closed.status, closed.applied) == (OutcomeStatus.SENT, True)
    assert open_tasks(org, lead_id) == []
    assert org.app.tasks.require(str(first.remote_id))["Status"] == "Completed"


def test_given_a_rep_saving_the_task_after_leadloop_read_it_then_conflict_and_the_edit_stays(
    org: SalesforceHarness,
) -> None:
    (lead_id,) = leads(org, 1)
    (first,) = write(org, [flag(org, lead_id, ASK)])
    task_id = str(first.remote_id)
    org.app.before_next("sobject_patch", lambda _app: rep_saves_task(org, task_id, Priority="High"))

    (outcome,) = write(org, [flag(org, lead_id, None, key="done")])

    assert outcome.status is OutcomeStatus.CONFLICT and task_id in (outcome.message or "")
    task = org.app.tasks.require(task_id)
    assert (task["Status"], task["Priority"]) == ("Not Started", "High")


def test_given_two_open_leadloop_tasks_when_the_flag_changes_then_the_oldest_is_the_one(
    org: SalesforceHarness,
) -> None:
    (lead_id,) = leads(org, 1)
    (first,) = write(org, [flag(org, lead_id, ASK)])
    org.clock.advance(timedelta(seconds=1))
    older = {**org.app.tasks.require(str(first.remote_id)), "Id": org.app.tasks.new_id()}
    older["CreatedDate"] = "2026-11-01T09:00:00.000+0000"  # created before, stored after
    with org.app.lock:
        org.app.tasks.add(older)

    (changed,) = write(org, [flag(org, lead_id, "leadloop: legacy reason", key="b")])

    assert (changed.status, changed.remote_id) == (OutcomeStatus.SENT, older["Id"])
    assert org.app.tasks.require(older["Id"])["Subject"] == "leadloop: legacy reason"
    assert org.app.tasks.require(str(first.remote_id))["Subject"] == ASK


def test_given_leadloops_open_task_deleted_when_flagged_again_then_a_new_task_is_created(
    org: SalesforceHarness,
) -> None:
    (lead_id,) = leads(org, 1)
    (first,) = write(org, [flag(org, lead_id, ASK)])
    with org.app.lock:  # a rep deleted it to the recycle bin (queryAll still sees it)
        org.app.tasks.require(str(first.remote_id))["IsDeleted"] = True

    (again,) = write(org, [flag(org, lead_id, ASK, key="again")])

    assert (again.status, again.applied) == (OutcomeStatus.SENT, True)
    assert again.remote_id != first.remote_id
    assert [t["Id"] for t in open_tasks(org, lead_id) if not t["IsDeleted"]] == [again.remote_id]


def test_given_a_create_whose_answer_was_cut_when_retried_then_found_not_created_twice(
    org: SalesforceHarness,
) -> None:
    ids = leads(org, 3)
    org.app.faults.script("composite_create", "truncated")

    outcomes = write(org, [flag(org, i, ASK) for i in ids])

    assert [(o.status, o.applied) for o in outcomes] == [(OutcomeStatus.SENT, True)] * 3
    assert [len(open_tasks(org, i)) for i in ids] == [1, 1, 1]
    assert org.app.calls["composite_create"] == 1


def test_given_a_rep_giving_the_reason_in_the_evaluated_second_then_no_task(
    org: SalesforceHarness,
) -> None:
    (lead_id,) = leads(org, 1)
    planned = flag(org, lead_id, ASK)
    org.edit_within_stamp(lead_id, {"Unqualified_Reason__c": "Competitor"})

    (outcome,) = write(org, [planned])

    assert outcome.status is OutcomeStatus.CONFLICT and "Unqualified_Reason__c" in str(outcome)
    assert open_tasks(org, lead_id) == []


def test_given_a_lead_owned_by_a_queue_then_its_task_goes_to_leadloops_user(
    org: SalesforceHarness,
) -> None:
    (lead_id,) = leads(org, 1, queue=True)

    (outcome,) = write(org, [flag(org, lead_id, ASK)])

    assert outcome.status is OutcomeStatus.SENT
    assert [t["OwnerId"] for t in open_tasks(org, lead_id)] == [API_USER]


def test_given_an_unqualified_lead_without_reason_under_the_rule_then_its_task_is_created(
    org: SalesforceHarness,
) -> None:
    """The org's rule refuses any update of such a lead, not a Task about it."""
    (lead_id,) = leads(org, 1)
    org.app.human_edit(lead_id, {"Status": "Unqualified", "Unqualified_Reason__c": None})

    (outcome,) = write(org, [flag(org, lead_id, ASK)])

    assert outcome.status is OutcomeStatus.SENT and len(open_tasks(org, lead_id)) == 1


def fix(org: SalesforceHarness, lead_id: str, key: str = "fix") -> Correction:
    """A field correction (a reason detail written) decided on the lead as it is now."""
    raw = org.raw(lead_id)
    return Correction(
        f"{key}-{lead_id}",
        lead_id,
        {"Reason_Detail__c": "checked by leadloop"},
        org.modstamp(lead_id),
        {"Reason_Detail__c": raw["Reason_Detail__c"]},
    )


def test_given_fixes_and_flags_for_the_same_leads_when_written_then_one_reread_serves_both(
    org: SalesforceHarness,
) -> None:
    """The task step decides on the field write's re-read (which brings the leads' open tasks
    too), with leadloop's own writes applied to it, instead of reading the leads again: 3 calls
    for the batch instead of 5."""
    ids = [i for i in leads(org, 40) if org.raw(i)["Status"] != "Unqualified"][:5]
    before = dict(org.app.calls)

    outcomes = write(org, [c for i in ids for c in (fix(org, i), flag(org, i, ASK))])

    assert [(o.status, o.applied) for o in outcomes] == [(OutcomeStatus.SENT, True)] * 10
    assert all(org.raw(i)["Reason_Detail__c"] == "checked by leadloop" for i in ids)
    assert all(len(open_tasks(org, i)) == 1 for i in ids)
    calls = {op: n - before.get(op, 0) for op, n in org.app.calls.items()}
    # the shared re-read with the open tasks, the Collections PATCH, the Collections POST
    assert (calls["query"], calls["composite"], calls["composite_create"]) == (1, 1, 1)


def test_given_a_rep_editing_between_the_reread_and_the_task_then_the_shared_read_decides(
    org: SalesforceHarness,
) -> None:
    """A flag decided on a status the rep changes before leadloop's re-read: the shared
    read shows the change, so no task (as a read of its own would)."""
    lead_id = next(i for i in leads(org, 40) if org.raw(i)["Status"] != "Unqualified")
    planned = [fix(org, lead_id), flag(org, lead_id, ASK)]
    org.edit_within_stamp(lead_id, {"Unqualified_Reason__c": "Competitor"})

    fixed, flagged = write(org, planned)

    assert fixed.status is OutcomeStatus.SENT
    assert flagged.status is OutcomeStatus.CONFLICT and "Unqualified_Reason__c" in str(flagged)
    assert open_tasks(org, lead_id) == []


def test_given_an_open_task_without_its_subject_then_a_malformed_answer_naming_the_lead() -> None:
    lead = {"Id": "00Q1", "Tasks": {"totalSize": 1, "done": True, "records": [{"Id": "00T1"}]}}

    with pytest.raises(MalformedAnswer, match="lead 00Q1: its open task lacks one of"):
        open_task(lead)
