"""Review flags as tasks for the contact's owner: one open task per contact, associated with it,
changed when the flag changes, completed by leadloop; a create whose 200 answer was lost is
found through the contact's associations, never made twice."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from connectors.base import TASK_FIELD, Correction, OutcomeStatus, WriteOutcome
from tests.connectors.hubspot.support import Sandbox, sandbox

ASK = "leadloop: unqualified without a reason since 2026-10-01"


@pytest.fixture
def box() -> Iterator[Sandbox]:
    with sandbox(contacts=40) as running:
        yield running


def contacts(box: Sandbox, count: int) -> list[str]:
    return box.live_ids()[:count]


def flag(
    box: Sandbox, contact_id: str, text: str | None, remote_id: str | None = None
) -> Correction:
    """A review flag decided on the contact's lead status as it is now."""
    status = box.emulator.contact(contact_id)["properties"].get("hs_lead_status")
    return Correction(
        f"k-{contact_id}-{text}",
        contact_id,
        {TASK_FIELD: text},
        box.modstamp(contact_id),
        {"hs_lead_status": status},
        remote_id=remote_id,
    )


def write(box: Sandbox, flags: list[Correction]) -> list[WriteOutcome]:
    return box.connector(clock=box.clock).write(flags)


def open_tasks(box: Sandbox, contact_id: str) -> list[dict[str, Any]]:
    """The contact's open leadloop tasks (read from the emulator, no API call)."""
    linked = box.emulator.associations.ids_of(("0-1", int(contact_id)), "0-27")
    tasks = [box.emulator.tasks.records[i].properties for i in linked]
    return [
        t
        for t in tasks
        if t["hs_task_status"] != "COMPLETED" and t["hs_task_subject"].startswith("leadloop:")
    ]


def test_given_flags_when_written_then_one_task_per_contact_for_its_owner(box: Sandbox) -> None:
    ids = contacts(box, 3)
    before = box.calls()

    outcomes = write(box, [flag(box, i, ASK) for i in ids])

    assert [(o.status, o.applied) for o in outcomes] == [(OutcomeStatus.SENT, True)] * 3
    for contact_id, outcome in zip(ids, outcomes, strict=True):
        (task,) = open_tasks(box, contact_id)
        assert (task["hs_object_id"], task["hs_task_subject"]) == (outcome.remote_id, ASK)
        owner = box.emulator.contact(contact_id)["properties"]["hubspot_owner_id"]
        assert task["hubspot_owner_id"] == owner
    assert box.calls() - before == 1 + 3  # the contacts' batch read, one create per task


def test_given_a_known_open_task_when_the_same_flag_comes_again_then_nothing_is_written(
    box: Sandbox,
) -> None:
    (contact_id,) = contacts(box, 1)
    (first,) = write(box, [flag(box, contact_id, ASK)])
    creates = box.calls("objects")

    (again,) = write(box, [flag(box, contact_id, ASK, first.remote_id)])

    assert (again.status, again.applied, again.remote_id) == (
        OutcomeStatus.SENT,
        False,
        first.remote_id,
    )
    assert box.calls("objects") == creates + 1  # the task's batch read, no create
    assert len(open_tasks(box, contact_id)) == 1


def test_given_a_new_text_and_then_none_then_the_task_changes_then_is_completed(
    box: Sandbox,
) -> None:
    (contact_id,) = contacts(box, 1)
    (first,) = write(box, [flag(box, contact_id, ASK)])

    (changed,) = write(box, [flag(box, contact_id, "leadloop: other", first.remote_id)])
    subjects = [t["hs_task_subject"] for t in open_tasks(box, contact_id)]
    (closed,) = write(box, [flag(box, contact_id, None, first.remote_id)])

    assert changed.remote_id == closed.remote_id == first.remote_id
    assert subjects == ["leadloop: other"]
    assert open_tasks(box, contact_id) == []
    assert (
        box.emulator.tasks.records[int(str(first.remote_id))].properties["hs_task_status"]
        == "COMPLETED"
    )


def test_given_a_create_whose_answer_was_cut_when_retried_then_it_is_found_not_made_twice(
    box: Sandbox,
) -> None:
    (contact_id,) = contacts(box, 1)
    box.emulator.faults.script("objects", "truncated")  # the create lands, its 200 is cut

    (outcome,) = write(box, [flag(box, contact_id, ASK)])

    assert (outcome.status, outcome.applied) == (OutcomeStatus.SENT, True)
    (task,) = open_tasks(box, contact_id)
    assert outcome.remote_id == task["hs_object_id"]


def test_given_a_fix_and_a_flag_for_one_contact_then_leadloops_own_fix_does_not_stop_the_task(
    box: Sandbox,
) -> None:
    """The fix goes first and moves the contact's stamp; the task is decided on the values."""
    (contact_id,) = contacts(box, 1)
    fix = Correction("fix", contact_id, {"reason_detail": "checked"}, box.modstamp(contact_id))

    outcomes = write(box, [fix, flag(box, contact_id, ASK)])

    assert [o.status for o in outcomes] == [OutcomeStatus.SENT, OutcomeStatus.SENT]
    assert len(open_tasks(box, contact_id)) == 1
