"""SOQL building, windows and cursors: pure functions, no network."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from connectors.base import Cursor, SourceRecord, Window
from connectors.salesforce import streams

T0 = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
SPEC = streams.lead_stream(["Status", "Unqualified_Reason__c"])
FIELDS = (
    "Id, SystemModstamp, IsDeleted, MasterRecordId, IsConverted, ConvertedDate, Status, "
    "Unqualified_Reason__c"
)


def record(record_id: str, modstamp: datetime) -> SourceRecord:
    return SourceRecord(record_id, modstamp, {"Id": record_id})


def test_given_a_window_when_building_incremental_soql_then_half_open_and_ordered_by_pair() -> None:
    soql = streams.incremental_soql(SPEC, Window(T0, T0 + timedelta(hours=1)))
    assert soql == (
        f"SELECT {FIELDS} FROM Lead WHERE SystemModstamp >= 2026-03-01T12:00:00+00:00"
        " AND SystemModstamp < 2026-03-01T13:00:00+00:00"
        " ORDER BY SystemModstamp ASC, Id ASC"
    )


def test_given_no_start_when_building_incremental_soql_then_only_upper_bound() -> None:
    soql = streams.incremental_soql(SPEC, Window(None, T0))
    assert soql == (
        f"SELECT {FIELDS} FROM Lead WHERE SystemModstamp < 2026-03-01T12:00:00+00:00"
        " ORDER BY SystemModstamp ASC, Id ASC"
    )


def test_given_a_cursor_in_the_window_when_building_soql_then_lower_bound_is_inclusive() -> None:
    """A strict `>` on the stamp would lose records saved in the same second as the cursor."""
    after = Cursor(T0 + timedelta(minutes=5, microseconds=250_000), "00Q000000000002AAA")
    soql = streams.incremental_soql(SPEC, Window(T0, T0 + timedelta(hours=1)), after)
    assert "SystemModstamp >= 2026-03-01T12:05:00+00:00 AND" in soql


def test_given_ids_with_quotes_when_building_ids_soql_then_values_are_escaped() -> None:
    soql = streams.ids_soql(SPEC, ["00Q1", "x' OR Id != '"])
    assert soql == (
        f"SELECT {FIELDS} FROM Lead WHERE Id IN ('00Q1','x\\' OR Id != \\'')"
        " ORDER BY SystemModstamp ASC, Id ASC"
    )


def test_given_too_many_ids_when_building_ids_soql_then_refused() -> None:
    with pytest.raises(ValueError, match=r"1\.\.200"):
        streams.ids_soql(SPEC, [f"00Q{i}" for i in range(201)])


def test_given_a_field_name_that_is_not_an_identifier_when_declaring_stream_then_refused() -> None:
    with pytest.raises(ValueError, match="Status FROM User"):
        streams.lead_stream(["Status FROM User"])


def test_given_a_mapping_listing_system_fields_when_selecting_then_each_field_once() -> None:
    spec = streams.lead_stream(["Id", "Status", "SystemModstamp"])
    assert spec.select_fields.count("Id") == 1
    assert spec.select_fields[-1] == "Status"


def test_given_full_and_bulk_soql_then_plain_statements() -> None:
    assert streams.count_soql(SPEC) == "SELECT COUNT() FROM Lead"
    assert streams.full_soql(SPEC, ordered=False) == f"SELECT {FIELDS} FROM Lead"
    assert streams.bulk_soql(SPEC, None) == f"SELECT {FIELDS} FROM Lead"
    assert streams.bulk_soql(SPEC, T0) == (
        f"SELECT {FIELDS} FROM Lead WHERE SystemModstamp < {T0.isoformat()}"
    )


def test_given_same_stamp_records_when_filtering_after_cursor_then_ties_resolved_by_id() -> None:
    records = [
        record("00Q1", T0),
        record("00Q2", T0),
        record("00Q3", T0),
        record("00Q0", T0 + timedelta(seconds=1)),
    ]
    kept = streams.after_cursor(records, Cursor(T0, "00Q2"))
    assert [r.record_id for r in kept] == ["00Q3", "00Q0"]


def test_given_an_empty_page_when_computing_cursor_then_previous_cursor_kept() -> None:
    previous = Cursor(T0, "00Q9")
    assert streams.cursor_of([], previous) == previous
    assert streams.cursor_of([record("00QA", T0)], previous) == Cursor(T0, "00QA")


@pytest.mark.parametrize(
    "text", ["2024-10-31T03:49:13.000+0000", "2024-10-31T03:49:13.000Z", "2024-10-31T03:49:13Z"]
)
def test_given_salesforce_datetime_formats_when_parsing_then_aware_utc(text: str) -> None:
    assert streams.parse_datetime(text) == datetime(2024, 10, 31, 3, 49, 13, tzinfo=UTC)


def test_given_a_raw_record_when_converting_then_attributes_dropped_and_flags_read() -> None:
    raw = {
        "attributes": {"type": "Lead", "url": "/x"},
        "Id": "00Q1",
        "SystemModstamp": "2026-03-01T12:00:00.000+0000",
        "IsDeleted": True,
        "MasterRecordId": "00Q2",
        "Owner": {"attributes": {"type": "Name"}, "Name": "Ana"},
    }
    converted = streams.to_source_record(raw, SPEC)
    assert converted is not None
    assert converted.fields == {
        "Id": "00Q1",
        "SystemModstamp": "2026-03-01T12:00:00.000+0000",
        "IsDeleted": True,
        "MasterRecordId": "00Q2",
        "Owner": {"Name": "Ana"},
    }
    assert (converted.deleted, converted.merged_into, converted.modstamp) == (True, "00Q2", T0)


def test_given_a_record_without_stamp_when_converting_page_then_skipped_not_fatal() -> None:
    raws: list[dict[str, Any]] = [
        {"Id": "00Q1", "SystemModstamp": None},
        {"Id": "00Q2", "SystemModstamp": "2026-03-01T12:00:00.000+0000"},
    ]
    assert [r.record_id for r in streams.to_source_records(raws, SPEC)] == ["00Q2"]
