"""The emulator's SOQL subset: what it accepts answers correctly, what it refuses it names.

Each accepted query is checked against a plain-Python oracle over the stored rows, so a wrong
filter, order or limit fails the test instead of passing silently.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from simple_salesforce import format_soql
from simple_salesforce.exceptions import SalesforceMalformedRequest

from connectors.sandbox.salesforce.values import parse_wire
from tests.sandbox.salesforce_support import Running, first_error, running

Row = dict[str, Any]
ODD_COMPANY = 'O\'Brien "Co" \\ 50% off_now\n'


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Running]:
    """60 plain leads; a few nurture/unqualified, titled, or with an awkward company name."""
    with running(plain=60) as sandbox:
        rows = sandbox.emulator.records()
        for row in rows[::7]:
            sandbox.emulator.human_edit(row["Id"], {"Status": "Nurture", "Title": "CTO"})
        for row in rows[3::11]:
            sandbox.emulator.human_edit(row["Id"], {"Status": "Unqualified"})
        sandbox.emulator.human_edit(rows[5]["Id"], {"Company": ODD_COMPANY})
        yield sandbox


def stamp(row: Row) -> datetime:
    return parse_wire(row["SystemModstamp"])


ACCEPTED: list[tuple[str, Callable[[Row], bool]]] = [
    ("Status = 'working - contacted'", lambda r: r["Status"] == "Working - Contacted"),
    (
        "Lead_Score__c >= 50 AND Status != 'Open - Not Contacted'",
        lambda r: r["Lead_Score__c"] >= 50 and r["Status"] != "Open - Not Contacted",
    ),
    (
        "(Lead_Score__c < 10 OR Lead_Score__c > 40) AND NOT Status = 'Nurture'",
        lambda r: (r["Lead_Score__c"] < 10 or r["Lead_Score__c"] > 40) and r["Status"] != "Nurture",
    ),
    ("Status IN ('Nurture', 'Unqualified')", lambda r: r["Status"] in ("Nurture", "Unqualified")),
    ("Status NOT IN ('Nurture')", lambda r: r["Status"] != "Nurture"),
    (
        "SystemModstamp > 2026-01-05T11:00:00Z",
        lambda r: stamp(r) > datetime(2026, 1, 5, 11, tzinfo=UTC),
    ),
    (
        "SystemModstamp <= 2026-01-05T12:30:00+02:00 AND IsDeleted = false",
        lambda r: stamp(r) <= datetime(2026, 1, 5, 10, 30, tzinfo=UTC),
    ),
    ("Title = null", lambda r: r["Title"] is None),
    (
        "Title != null OR Lead_Score__c = 7",
        lambda r: r["Title"] is not None or r["Lead_Score__c"] == 7,
    ),
    ("Title != 'cto'", lambda r: r["Title"] != "CTO"),
    ("Email LIKE 'bench1%'", lambda r: r["Email"].startswith("bench1")),
    (format_soql("Company = {}", ODD_COMPANY), lambda r: r["Company"] == ODD_COMPANY),
    (
        format_soql("Company LIKE '{:like}%'", 'O\'Brien "Co" \\ 50%'),
        lambda r: r["Company"] == ODD_COMPANY,
    ),
    (
        format_soql("SystemModstamp >= {}", datetime(2026, 1, 5, 10, 30, tzinfo=UTC)),
        lambda r: stamp(r) >= datetime(2026, 1, 5, 10, 30, tzinfo=UTC),
    ),
]


@pytest.mark.parametrize(("where", "oracle"), ACCEPTED, ids=[w for w, _ in ACCEPTED])
def test_given_a_supported_filter_when_querying_then_exactly_the_matching_rows(
    sandbox: Running, where: str, oracle: Callable[[Row], bool]
) -> None:
    result = sandbox.sf.query_all(f"SELECT Id FROM Lead WHERE {where}")
    expected = {row["Id"] for row in sandbox.emulator.records() if oracle(row)}
    assert {record["Id"] for record in result["records"]} == expected
    assert 0 < len(expected) < 60, "the oracle should select some rows but not all"


def test_given_order_by_two_fields_and_limit_when_querying_then_sorted_and_cut(
    sandbox: Running,
) -> None:
    result = sandbox.sf.query(
        "SELECT Id, Lead_Score__c FROM Lead ORDER BY Lead_Score__c DESC, Id ASC LIMIT 15"
    )
    rows = sorted(sandbox.emulator.records(), key=lambda r: r["Id"])
    rows.sort(key=lambda r: r["Lead_Score__c"], reverse=True)
    assert [r["Id"] for r in result["records"]] == [r["Id"] for r in rows[:15]]
    assert result["totalSize"] == 15


@pytest.mark.parametrize(("nulls", "first_is_null"), [("", True), (" NULLS LAST", False)])
def test_given_nulls_when_ordering_ascending_then_nulls_first_unless_asked_last(
    sandbox: Running, nulls: str, first_is_null: bool
) -> None:
    records = sandbox.sf.query_all(f"SELECT Id, Title FROM Lead ORDER BY Title{nulls}, Id")
    assert (records["records"][0]["Title"] is None) is first_is_null


REFUSED = [
    ("SELECT Id FROM Lead WHERE", "MALFORMED_QUERY"),
    ("SELECT FROM Lead", "MALFORMED_QUERY"),
    ("SELECT Id FROM Lead GROUP BY Status", "MALFORMED_QUERY"),
    ("SELECT Id FROM Lead LIMIT 10 OFFSET 5", "MALFORMED_QUERY"),
    ("SELECT Id FROM Lead ORDER BY", "MALFORMED_QUERY"),
    ("SELECT Id FROM Lead FOR UPDATE", "MALFORMED_QUERY"),
    ("SELECT Id FROM Lead WHERE CreatedDate > LAST_N_DAYS:7", "MALFORMED_QUERY"),
    ("SELECT Id FROM Lead WHERE Status = 'a' AND Email = 'b' OR Title = 'c'", "MALFORMED_QUERY"),
    ("SELECT Id FROM Lead WHERE Status = 'a' OR Email = 'b' AND Title = 'c'", "MALFORMED_QUERY"),
    ("SELECT Id, id FROM Lead", "MALFORMED_QUERY"),
    ("SELECT Id FROM Lead WHERE Email = 'unterminated", "MALFORMED_QUERY"),
    ("SELECT Id FROM Lead WHERE IsDeleted > true", "MALFORMED_QUERY"),
    ("SELECT Id FROM Lead WHERE Status IN ()", "MALFORMED_QUERY"),
    ("SELECT Id FROM Lead WHERE Status INCLUDES ('a')", "MALFORMED_QUERY"),
    ("SELECT Id FROM Lead WHERE Lead_Score__c LIKE '1%'", "MALFORMED_QUERY"),
    ("SELECT FullName FROM Lead", "INVALID_FIELD"),
    ("SELECT Account.Name FROM Lead", "INVALID_FIELD"),
    ("SELECT Owner.Email FROM Lead", "INVALID_FIELD"),
    ("SELECT Id FROM Lead WHERE Owner.Name = 'x'", "MALFORMED_QUERY"),
    ("SELECT Id FROM Lead ORDER BY Owner.Name", "MALFORMED_QUERY"),
    ("SELECT Id FROM Task WHERE Who.Name = 'x'", "MALFORMED_QUERY"),
    ("SELECT Id FROM Task WHERE WhoId IN (SELECT Id FROM Lead)", "MALFORMED_QUERY"),
    ("SELECT Id FROM Task WHERE ActivityDate = TODAY", "MALFORMED_QUERY"),
    ("SELECT Id FROM Lead WHERE Foo__c = 1", "INVALID_FIELD"),
    ("SELECT Id FROM Lead WHERE SystemModstamp > '2026-01-05'", "INVALID_FIELD"),
    ("SELECT Id FROM Lead WHERE SystemModstamp > 2026-01-05", "INVALID_FIELD"),
    ("SELECT Id FROM Lead WHERE Lead_Score__c = 'high'", "INVALID_FIELD"),
    ("SELECT Id FROM Lead WHERE Description = 'x'", "INVALID_FIELD"),
    ("SELECT Id FROM Account", "INVALID_TYPE"),
]


@pytest.mark.parametrize(("soql", "code"), REFUSED, ids=[s for s, _ in REFUSED])
def test_given_soql_outside_the_subset_when_querying_then_400_naming_the_problem(
    sandbox: Running, soql: str, code: str
) -> None:
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sandbox.sf.query(soql)
    assert caught.value.status == 400
    assert first_error(caught.value)["errorCode"] == code
    assert "ERROR at Row:1:Column:" in first_error(caught.value)["message"]
