"""Problems an admin must see: an empty status, dates before 1900 or in the future."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from connectors.base import SourceRecord
from mappings.catalogue_loader import load_catalogue
from mappings.loader import load_mapping
from sync.pipeline.normalize import normalize
from tests.normalize.records import MODSTAMP, hubspot_contact, salesforce_lead

SALESFORCE = load_mapping("salesforce_lead", load_catalogue())
HUBSPOT = load_mapping("hubspot_contact", load_catalogue())
NOW = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.mark.parametrize("value", [None, "", "   "])
def test_given_an_empty_hubspot_status_then_a_missing_status_problem(value: str | None) -> None:
    result = normalize("hs", HUBSPOT, hubspot_contact(hs_lead_status=value))

    assert result.lead.status is None
    assert [(p.field, p.code) for p in result.problems] == [("status", "missing_status")]


def test_given_a_converted_lead_or_a_deleted_record_without_status_then_no_problem() -> None:
    converted = normalize("sf", SALESFORCE, salesforce_lead(Status=None, IsConverted=True))
    merged = SourceRecord("7", MODSTAMP, {"id": "7"}, deleted=True, merged_into="8")

    assert converted.problems == []
    assert normalize("hs", HUBSPOT, merged).problems == []


@pytest.mark.parametrize(
    ("createdate", "problem"),
    [
        ("2099-01-01T00:00:00Z", "2099-01-01T00:00:00+00:00 is in the future: not used"),
        ("0001-01-01T00:00:00Z", "0001-01-01T00:00:00+00:00 is before 1900: not used"),
    ],
)
def test_given_an_impossible_creation_date_then_it_is_reported_and_not_used(
    createdate: str, problem: str
) -> None:
    result = normalize("hs", HUBSPOT, hubspot_contact(createdate=createdate), NOW)

    (found,) = result.problems
    assert (found.field, found.code, found.message) == ("created_at", "implausible_date", problem)
    assert result.lead.created_at is None


def test_given_a_date_within_a_day_ahead_then_it_is_clock_skew_not_a_problem() -> None:
    soon = (NOW + timedelta(hours=20)).isoformat()

    result = normalize("hs", HUBSPOT, hubspot_contact(createdate=soon), NOW)

    assert result.problems == [] and result.lead.created_at == NOW + timedelta(hours=20)


def test_given_no_clock_then_only_dates_before_1900_are_looked_for() -> None:
    assert (
        normalize("hs", HUBSPOT, hubspot_contact(createdate="2099-01-01T00:00:00Z")).problems == []
    )
