"""Bulk 2.0 CSV results become the same shapes REST JSON carries (types from describe)."""

from __future__ import annotations

import pytest

from connectors.base import FatalError
from connectors.salesforce import bulk

DESCRIBE = {
    "fields": [
        {"name": "Id", "type": "id"},
        {"name": "IsDeleted", "type": "boolean"},
        {"name": "Lead_Score__c", "type": "double"},
        {"name": "NumberOfEmployees", "type": "int"},
        {"name": "SystemModstamp", "type": "datetime"},
        {"name": "ConvertedDate", "type": "date"},
        {"name": "Company", "type": "string"},
    ]
}


def test_given_bulk_csv_when_parsing_with_describe_types_then_rest_shaped_values() -> None:
    text = (
        '"Id","IsDeleted","Lead_Score__c","NumberOfEmployees","SystemModstamp",'
        '"ConvertedDate","Company"\n'
        '"00Q1","true","42.5","12","2026-03-01T12:00:00.000Z","2026-03-02","Acme, ""Inc"""\n'
        '"00Q2","false","","","2026-03-01T12:00:01.123Z","",""\n'
    )
    rows = list(bulk.iter_csv(text, bulk.converters(DESCRIBE)))
    assert rows == [
        {
            "Id": "00Q1",
            "IsDeleted": True,
            "Lead_Score__c": 42.5,
            "NumberOfEmployees": 12,
            "SystemModstamp": "2026-03-01T12:00:00.000+0000",
            "ConvertedDate": "2026-03-02",
            "Company": 'Acme, "Inc"',
        },
        {
            "Id": "00Q2",
            "IsDeleted": False,
            "Lead_Score__c": None,
            "NumberOfEmployees": None,
            "SystemModstamp": "2026-03-01T12:00:01.123+0000",
            "ConvertedDate": None,
            "Company": None,
        },
    ]


def test_given_quoted_line_breaks_and_crlf_endings_when_parsing_then_rows_are_whole() -> None:
    text = (
        '"Id","Company"\r\n'
        '"00Q1","Acme\nNorth\r\nWing"\r\n'
        '"00Q2","Borealis"\r\n'
        '"00Q3",""'
    )  # the last line may lack its ending

    rows = list(bulk.iter_csv(text, bulk.converters(DESCRIBE)))

    assert rows == [
        {"Id": "00Q1", "Company": "Acme\nNorth\r\nWing"},
        {"Id": "00Q2", "Company": "Borealis"},
        {"Id": "00Q3", "Company": None},
    ]


def test_given_a_row_short_of_cells_when_parsing_then_a_fatal_error_names_its_line() -> None:
    text = '"Id","Company"\n"00Q1","Acme"\n"00Q2"\n'

    with pytest.raises(FatalError, match=r"CSV line 3 has 1 cells, the header names 2"):
        list(bulk.iter_csv(text, bulk.converters(DESCRIBE)))


def test_given_a_non_utc_datetime_when_converting_then_rest_format_in_utc() -> None:
    assert bulk.rest_datetime("2026-03-01T14:00:00.000+0200") == "2026-03-01T12:00:00.000+0000"
