"""A property's history over the real client: propertiesWithHistory, 50 contacts per call."""

from __future__ import annotations

from datetime import timedelta

from tests.connectors.hubspot.support import START, sandbox


def test_given_status_changes_when_reading_history_then_newest_first_with_their_times() -> None:
    with sandbox(contacts=0) as box:
        (contact,) = box.emulator.add_contacts(1)
        box.clock.advance(days=2)
        box.emulator.human_edit(contact, {"hs_lead_status": "CONNECTED"})
        box.clock.advance(days=3)
        box.emulator.human_edit(contact, {"hs_lead_status": "UNQUALIFIED"})
        box.clock.advance(hours=1)
        box.emulator.human_edit(contact, {"jobtitle": "CTO"})  # not a status change

        found = box.connector().field_history("hs_lead_status", [contact])

        values = found[contact]
        assert [value for value, _ in values[:2]] == ["UNQUALIFIED", "CONNECTED"]
        assert [stamp for _, stamp in values[:2]] == [
            START + timedelta(days=5),
            START + timedelta(days=2),
        ]


def test_given_120_contacts_when_reading_history_then_three_calls_and_unknown_ids_absent() -> None:
    with sandbox(contacts=0) as box:
        ids = box.emulator.add_contacts(120)
        box.emulator.archive(ids[5])

        found = box.connector().field_history("hs_lead_status", [*ids, "999999", ids[0]])

        assert set(found) == set(ids) - {ids[5]}
        assert box.calls("batch_read") == 3  # 50 inputs per call with propertiesWithHistory
        bodies = box.emulator.bodies("batch_read")
        assert [len(b["inputs"]) for b in bodies] == [50, 50, 21]
        assert {tuple(b["propertiesWithHistory"]) for b in bodies} == {("hs_lead_status",)}
