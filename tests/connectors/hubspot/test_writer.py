"""Writing corrections: 2 calls per 100, conflict checks, 207 per input, enumeration options."""

from __future__ import annotations

from typing import Any

import pytest

from connectors.base import OutcomeStatus
from connectors.sandbox.hubspot import errors
from connectors.sandbox.server import Request, Response
from tests.connectors.hubspot.support import RecordingEmulator, Sandbox, sandbox

REASON = "nurture_reason"


def props(box: Sandbox, contact_id: str) -> dict[str, Any]:
    return dict(box.emulator.contact(contact_id)["properties"])


def edit(box: Sandbox, contact_id: str, reason: str) -> None:
    """A person sets the nurture reason in the HubSpot UI."""
    box.emulator.human_edit(contact_id, {REASON: reason})


def test_given_250_corrections_when_writing_then_3_reads_and_3_updates_of_at_most_100() -> None:
    with sandbox() as box:
        ids = box.emulator.add_contacts(250)
        outcomes = box.connector().write(
            [box.correction(i, {"reason_detail": f"fixed {i}"}) for i in ids]
        )
        assert [o.status for o in outcomes] == [OutcomeStatus.SENT] * 250
        assert all(o.applied and o.new_modstamp is not None for o in outcomes)
        assert (box.calls("batch_read"), box.calls("batch_update")) == (3, 3)
        sizes = [len(b["inputs"]) for b in box.emulator.bodies("batch_update")]
        assert sizes == [100, 100, 50]
        assert props(box, ids[249])["reason_detail"] == f"fixed {ids[249]}"


def test_given_the_batch_read_then_it_asks_only_for_the_stamp_and_the_changed_properties() -> None:
    with sandbox() as box:
        (contact,) = box.emulator.add_contacts(1)
        box.connector().write([box.correction(contact, {REASON: "bad_timing", "campaign": ""})])
        assert box.emulator.bodies("batch_read") == [
            {
                "inputs": [{"id": contact}],
                "properties": ["campaign", "lastmodifieddate", REASON],
                "propertiesWithHistory": [],
            }
        ]
        assert box.emulator.bodies("batch_update") == [
            {"inputs": [{"id": contact, "properties": {REASON: "bad_timing", "campaign": ""}}]}
        ]


def test_given_values_already_in_place_when_writing_then_sent_unapplied_without_update() -> None:
    with sandbox() as box:
        (contact,) = box.emulator.add_contacts(1)
        box.emulator.human_edit(contact, {"reason_detail": "", REASON: "bad_timing"})
        (outcome,) = box.connector().write(
            [box.correction(contact, {"reason_detail": None, REASON: "bad_timing"})]
        )
        assert (outcome.status, outcome.applied) == (OutcomeStatus.SENT, False)
        assert box.calls("batch_update") == 0


def test_given_a_person_set_the_same_value_meanwhile_then_sent_not_conflict() -> None:
    with sandbox() as box:
        (contact,) = box.emulator.add_contacts(1)
        planned = box.correction(contact, {REASON: "bad_timing"})
        box.clock.advance(seconds=5)
        box.emulator.before_next("batch_read", lambda: edit(box, contact, "bad_timing"))
        (outcome,) = box.connector().write([planned])
        assert (outcome.status, outcome.applied) == (OutcomeStatus.SENT, False)


def test_given_a_person_changed_it_meanwhile_then_conflict_and_their_value_kept() -> None:
    with sandbox() as box:
        (contact,) = box.emulator.add_contacts(1)
        planned = box.correction(contact, {REASON: "bad_timing"})
        box.clock.advance(seconds=5)
        box.emulator.before_next("batch_read", lambda: edit(box, contact, "unresponsive"))
        (outcome,) = box.connector().write([planned])
        assert outcome.status is OutcomeStatus.CONFLICT
        assert props(box, contact)[REASON] == "unresponsive"
        assert box.calls("batch_update") == 0


def test_given_a_207_answer_when_writing_then_failed_inputs_dead_with_the_message() -> None:
    with sandbox() as box:
        a, b, c = box.emulator.add_contacts(3)
        box.emulator.before_next("batch_update", lambda: box.emulator.archive(b))
        outcomes = box.connector().write(
            [
                box.correction(a, {"reason_detail": "x"}),
                box.correction(b, {"reason_detail": "x"}),
                box.correction(c, {"lead_status_changed_at": "not a date"}),
            ]
        )
        assert [o.status for o in outcomes] == [
            OutcomeStatus.SENT,
            OutcomeStatus.DEAD,
            OutcomeStatus.DEAD,
        ]
        assert "OBJECT_NOT_FOUND" in (outcomes[1].message or "")
        assert "VALIDATION_ERROR" in (outcomes[2].message or "")
        assert "lead_status_changed_at" in (outcomes[2].message or "")


def test_given_an_archived_contact_when_writing_then_dead_without_update() -> None:
    with sandbox() as box:
        (contact,) = box.emulator.add_contacts(1)
        planned = box.correction(contact, {"reason_detail": "x"})
        box.emulator.archive(contact)
        (outcome,) = box.connector().write([planned])
        assert outcome.status is OutcomeStatus.DEAD
        assert "not found" in (outcome.message or "")
        assert box.calls("batch_update") == 0


def test_given_a_missing_option_and_create_missing_options_off_then_dead_naming_both() -> None:
    with sandbox() as box:
        (contact,) = box.emulator.add_contacts(1)
        (outcome,) = box.connector().write(
            [box.correction(contact, {REASON: "low_interest_score"})]
        )
        assert outcome.status is OutcomeStatus.DEAD
        assert outcome.message == (
            "value 'low_interest_score' is not an option of property 'nurture_reason' "
            "(enable create_missing_options or add it in HubSpot)"
        )
        assert box.calls("properties_write") == 0


def test_given_a_missing_option_and_create_missing_options_on_then_added_once_and_written() -> None:
    with sandbox() as box:
        ids = box.emulator.add_contacts(3)
        connector = box.connector(create_missing_options=True)
        before = connector.field_options(REASON) or frozenset()
        outcomes = connector.write(
            [box.correction(i, {REASON: "low_interest_score"}) for i in ids[:2]]
        )
        outcomes += connector.write([box.correction(ids[2], {REASON: "low_interest_score"})])
        assert [o.status for o in outcomes] == [OutcomeStatus.SENT] * 3
        assert box.calls("properties_write") == 1
        (patch,) = box.emulator.bodies("properties_write")
        assert [o["value"] for o in patch["options"]][-1] == "low_interest_score"
        assert {o["value"] for o in patch["options"]} == {*before, "low_interest_score"}
        assert connector.field_options(REASON) == {*before, "low_interest_score"}


class WholeBatchRefusal(RecordingEmulator):
    """HubSpot variant that refuses a whole batch update when one input is invalid (400), its
    message naming the refused property and value as HubSpot's does (``named``), or not."""

    named = True

    def handle(self, request: Request) -> Response:
        inputs = request.json()["inputs"] if self.operation(request) == "batch_update" else []
        if any(i["properties"].get("reason_detail") == "refused" for i in inputs):
            problem = (
                '[{"isValid":false,"message":"refused was not one of the allowed options",'
                '"error":"INVALID_OPTION","name":"reason_detail"}]'
            )
            return errors.validation(
                f"Property values were not valid: {problem}" if self.named else "Invalid input"
            )
        return super().handle(request)


class UnnamedRefusal(WholeBatchRefusal):
    named = False


@pytest.mark.parametrize(
    ("emulator", "size", "bad", "calls"),
    [
        (UnnamedRefusal, 8, 5, 5),  # 8 -> 4 passes -> 2 refused -> 1 passes -> the other: dead
        (UnnamedRefusal, 100, 37, 11),
        (WholeBatchRefusal, 100, 37, 2),  # the message names the value: the 99 others at once
    ],
)
def test_given_a_whole_batch_400_then_the_bad_input_is_isolated_and_the_rest_written(
    emulator: type[WholeBatchRefusal], size: int, bad: int, calls: int
) -> None:
    with sandbox(emulator_class=emulator) as box:
        ids = box.emulator.add_contacts(size)
        values = ["ok"] * size
        values[bad] = "refused"
        outcomes = box.connector().write(
            [box.correction(i, {"reason_detail": v}) for i, v in zip(ids, values, strict=True)]
        )
        statuses = [OutcomeStatus.SENT] * size
        statuses[bad] = OutcomeStatus.DEAD
        assert [o.status for o in outcomes] == statuses
        assert "refused" in (outcomes[bad].message or "") or not emulator.named
        assert all(props(box, i)["reason_detail"] == "ok" for n, i in enumerate(ids) if n != bad)
        assert box.calls("batch_update") == calls
