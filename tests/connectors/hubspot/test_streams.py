"""Reading contacts over the real client and the emulator: search bodies, the 10,000-result cap,
tied stamps, archived and merged contacts, reads by id."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from connectors.base import Cursor, SourceRecord, Window
from connectors.hubspot.streams import from_millis, parse_stamp, to_millis
from tests.connectors.contract import records_of
from tests.connectors.hubspot.support import (
    EVERYTHING,
    PROPERTIES,
    START,
    Sandbox,
    add_contacts_at,
    ids_of,
    sandbox,
)

BASE = ["lastmodifieddate", "hs_object_id", "hs_merged_object_ids"]


def pull(box: Sandbox, window: Window = EVERYTHING, **options: object) -> list[SourceRecord]:
    return records_of(box.connector(**options).pull(window))  # type: ignore[arg-type]


def assert_once_in_order(records: list[SourceRecord], expected: list[str]) -> None:
    ids = ids_of(records)
    assert len(ids) == len(set(ids)), "a record was handed out twice"
    assert sorted(ids) == sorted(expected)
    keys = [(r.modstamp, int(r.record_id)) for r in records]
    assert keys == sorted(keys)


def test_given_a_window_when_pulling_then_the_search_body_is_exactly_this() -> None:
    with sandbox(contacts=5) as box:
        start = datetime(2026, 1, 1, tzinfo=UTC)
        window = Window(start, datetime(2026, 2, 1, 0, 0, 0, 500, tzinfo=UTC))
        pull(box, window)
        assert box.emulator.bodies("search") == [
            {
                "filterGroups": [
                    {
                        "filters": [
                            {
                                "propertyName": "lastmodifieddate",
                                "operator": "GTE",
                                "value": str(to_millis(start)),
                            },
                            # sub-millisecond end: rounded up, "LT end" keeps every record before it
                            {
                                "propertyName": "lastmodifieddate",
                                "operator": "LT",
                                "value": "1769904000001",
                            },
                        ]
                    }
                ],
                "sorts": [{"propertyName": "lastmodifieddate", "direction": "ASCENDING"}],
                "properties": [*BASE, *PROPERTIES],
                "limit": 200,
            }
        ]


@pytest.mark.slow
@pytest.mark.parametrize("max_offset", [0, 10_000])
def test_given_25000_contacts_in_one_window_when_pulling_then_none_lost_none_twice_no_400(
    max_offset: int,
) -> None:
    with sandbox() as box:  # HubSpot's rate limits on: search 5 a second
        ids = box.emulator.add_contacts(25_000)  # 30 % share a millisecond with a neighbour
        records = pull(box, max_offset=max_offset)
        assert_once_in_order(records, ids)
        afters = [int(b.get("after", 0)) for b in box.emulator.bodies("search")]
        assert max(afters) + 200 <= 10_000
        assert box.calls("search") <= 25_000 // 200 * 1.05 + 2
        assert box.emulator.refused("search") == 0 and box.sleeps.waits == []


def test_given_10300_contacts_sharing_one_millisecond_when_pulling_then_paged_by_id() -> None:
    with sandbox() as box:
        stamp = to_millis(START)
        tied = add_contacts_at(box.emulator, 10_300, lambda i: stamp)
        after = add_contacts_at(box.emulator, 250, lambda i: stamp + 1 + i)
        box.clock.advance(seconds=4)  # past HubSpot's search index lag after the last one
        records = pull(box)
        assert_once_in_order(records, tied + after)
        bodies = box.emulator.bodies("search")
        by_id = [b for b in bodies if b["sorts"][0]["propertyName"] == "hs_object_id"]
        assert len(by_id) == 10_300 // 200 + 1
        assert by_id[1]["filterGroups"][0]["filters"] == [
            {"propertyName": "lastmodifieddate", "operator": "EQ", "value": str(stamp)},
            {"propertyName": "hs_object_id", "operator": "GT", "value": tied[199]},
        ]
        assert "after" not in {k for b in bodies for k in b}
        assert box.emulator.refused("search") == 0


def test_given_a_cursor_inside_a_tied_millisecond_when_resuming_then_the_rest_exactly() -> None:
    with sandbox() as box:
        stamp = to_millis(START)
        tied = add_contacts_at(box.emulator, 450, lambda i: stamp)
        cursor = Cursor(from_millis(stamp), tied[299])
        box.clock.advance(seconds=3)  # past HubSpot's search index lag
        records = records_of(box.connector().pull(EVERYTHING, after=cursor))
        assert ids_of(records) == tied[300:]


def test_given_contacts_archived_and_merged_in_the_window_then_flagged_deleted_once() -> None:
    with sandbox(contacts=40) as box:
        live = box.live_ids()
        box.clock.advance(hours=1)
        box.emulator.archive(live[0])
        box.emulator.merge(live[1], live[2])
        box.clock.advance(seconds=3)  # past HubSpot's search index lag
        window = Window(START + timedelta(minutes=30), START + timedelta(hours=2))
        records = {r.record_id: r for r in pull(box, window)}
        assert set(records) == {live[0], live[1], live[2]}
        assert records[live[0]].deleted and records[live[0]].merged_into is None
        assert records[live[2]].deleted and records[live[2]].merged_into == live[1]
        assert not records[live[1]].deleted
        assert box.calls("contacts_list") == 1  # one archived listing per pull


def test_given_known_archived_and_unknown_ids_when_pulling_by_id_then_batched_by_100() -> None:
    with sandbox(contacts=0) as box:
        ids = box.emulator.add_contacts(250)
        box.emulator.archive(ids[7])
        records = records_of(box.connector().pull_ids([*ids, "999999", ids[0]]))
        assert sorted(ids_of(records)) == sorted(ids)
        assert [r.deleted for r in records if r.record_id == ids[7]] == [True]
        # 251 distinct ids: three reads of live contacts, plus one archived lookup for each
        # batch with a missing id (the first holds ids[7], the last "999999")
        assert box.calls("batch_read") == 3 + 2


def test_given_a_full_resync_when_pulling_all_then_search_pages_of_200_and_archived() -> None:
    with sandbox(contacts=0) as box:
        ids = box.emulator.add_contacts(450)
        box.emulator.archive(ids[3])
        records = records_of(box.connector().pull_all())
        assert_once_in_order(records, ids)
        assert (box.calls("search"), box.calls("contacts_list")) == (3, 1)
        assert box.emulator.bodies("search")[0]["filterGroups"] == []  # no date bounds at all


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-02-25T16:23:49.023Z", datetime(2026, 2, 25, 16, 23, 49, 23_000, tzinfo=UTC)),
        ("1772036629023", datetime(2026, 2, 25, 16, 23, 49, 23_000, tzinfo=UTC)),
        ("2026-02-25T16:23:49+01:00", datetime(2026, 2, 25, 15, 23, 49, tzinfo=UTC)),
        ("", None),
        (None, None),
    ],
)
def test_given_hubspot_datetime_values_when_parsing_then_aware_utc(
    value: str | None, expected: datetime | None
) -> None:
    assert parse_stamp(value) == expected


def test_given_search_index_lag_when_the_next_window_looks_back_then_the_late_edit_is_read() -> (
    None
):
    with sandbox(contacts=0, search_index_lag=timedelta(seconds=30)) as box:
        quiet, edited = box.emulator.add_contacts(2)
        box.clock.advance(minutes=5)
        box.emulator.human_edit(edited, {"reason_detail": "edited"})
        box.clock.advance(seconds=5)
        first = records_of(box.connector().pull(Window(None, box.clock())))
        assert ids_of(first) == [quiet]  # the index has not caught up with the edit yet
        box.clock.advance(minutes=1)
        kept_end = box.clock() - timedelta(minutes=1)  # the engine's cursor: the last end
        window = Window(kept_end - timedelta(minutes=10), box.clock())  # its 10-min lookback
        again = records_of(box.connector().pull(window))
        assert [(r.record_id, r.fields["reason_detail"]) for r in again] == [(edited, "edited")]


def test_given_a_merged_id_not_listed_as_archived_then_handed_out_after_its_survivor() -> None:
    with sandbox(contacts=0) as box:
        (survivor,) = box.emulator.add_contacts(1)
        record = box.emulator.contacts.records[int(survivor)]
        # Real HubSpot may not list merged-away contacts as archived: only the trail remains.
        box.emulator.contacts.write(
            record, {"hs_merged_object_ids": "77;78"}, to_millis(box.clock())
        )
        box.clock.advance(seconds=3)  # past HubSpot's search index lag
        records = pull(box)
        assert [(r.record_id, r.deleted, r.merged_into) for r in records] == [
            (survivor, False, None),
            ("77", True, survivor),
            ("78", True, survivor),
        ]
        assert len({r.modstamp for r in records}) == 1


def test_given_searches_back_to_back_when_paced_then_five_a_second_at_most() -> None:
    with sandbox(contacts=0) as box:
        box.emulator.add_contacts(2_000)
        box.clock.advance(seconds=4)  # past HubSpot's search index lag
        started = box.clock().timestamp()
        records = pull(box, page_size=100)  # 20 searches
        sent = [box.clock().timestamp() - started]  # the last one went out by now
        assert len(records) == 2_000 and box.calls("search") == 21
        assert box.emulator.refused("search") == 0
        # 21 searches at 4.5 a second: the first at once, the rest 1/4.5 s apart
        assert sent[0] == pytest.approx(20 / 4.5, abs=0.01)
