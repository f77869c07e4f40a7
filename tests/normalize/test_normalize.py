"""normalize: CRM records become canonical leads; bad data becomes problems, never a crash."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.base import SourceRecord
from mappings.catalogue_loader import load_catalogue
from mappings.loader import load_mapping, mapping_path
from sync.domain import Status
from sync.pipeline.normalize import MAX_TEXT, PREVIEW, normalize, to_crm_changes
from tests.normalize.records import MODSTAMP, hubspot_contact, salesforce_lead

CATALOGUE = load_catalogue()
SALESFORCE = load_mapping("salesforce_lead", CATALOGUE)
HUBSPOT = load_mapping("hubspot_contact", CATALOGUE)


def test_given_a_clean_salesforce_lead_then_every_canonical_field_is_filled() -> None:
    result = normalize("sf", SALESFORCE, salesforce_lead())

    lead = result.lead
    assert result.problems == []
    assert (lead.source, lead.external_id, lead.status) == (
        "sf",
        "00Q000000000001AAA",
        Status.NURTURE,
    )
    assert (lead.raw_status, lead.nurture_reason) == ("Nurture", "Bad Timing")
    assert (lead.email, lead.phone) == ("ada.lovelace@example.com", "+14155550123")
    assert (lead.score, lead.wants_call, lead.owner) == (42.0, False, "005000000000001AAA")
    assert lead.created_at == datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    assert lead.modified_at == MODSTAMP
    assert (lead.is_deleted, lead.merged_into, lead.converted_at) == (False, None, None)
    assert lead.raw["Company"] == "Acme Analytics"


def test_given_a_hubspot_contact_with_string_properties_then_they_are_typed() -> None:
    lead = normalize("hs", HUBSPOT, hubspot_contact()).lead

    assert (lead.status, lead.unqualified_reason) == (Status.UNQUALIFIED, "wrong_persona")
    assert (lead.score, lead.wants_call) == (17.0, True)
    assert lead.phone == "+442079460123"
    assert lead.created_at == datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    # the built-in mapping names no status-changed property: portals do not have one
    assert lead.status_changed_at is None
    assert (lead.title, lead.lead_source, lead.review_flag) == (
        "Office Manager",
        "PAID_SEARCH",
        None,
    )


def test_given_a_portal_mapping_with_a_status_changed_property_then_it_is_read(
    tmp_path: Path,
) -> None:
    builtin = mapping_path("hubspot_contact").read_text(encoding="utf-8")
    line = "  status_changed_at: {field: lead_status_changed_at, transforms: [datetime]}\n"
    copy = tmp_path / "portal_contact.yaml"
    copy.write_text(builtin.replace("fields:\n", "fields:\n" + line, 1), encoding="utf-8")
    lead = normalize("hs", load_mapping(str(copy), CATALOGUE), hubspot_contact()).lead
    assert lead.status_changed_at == datetime(2026, 2, 25, 16, 23, 49, 23000, tzinfo=UTC)


def test_given_a_national_phone_then_it_is_read_in_the_records_country() -> None:
    lead = normalize("hs", HUBSPOT, hubspot_contact(phone="030 90182012", country="DE")).lead

    assert lead.phone == "+493090182012"


def test_given_an_unknown_status_then_status_is_none_raw_kept_and_a_problem() -> None:
    result = normalize("sf", SALESFORCE, salesforce_lead(Status="Hot Prospect"))

    assert (result.lead.status, result.lead.raw_status) == (None, "Hot Prospect")
    assert [(p.field, p.value_preview, p.message) for p in result.problems] == [
        ("status", "'Hot Prospect'", "status value not in mapping 'salesforce_lead'")
    ]


def test_given_the_broken_seed_record_then_problems_are_listed_and_the_lead_survives() -> None:
    record = salesforce_lead(
        Email="ana@",
        Phone="unknown",
        Company="Zoë 🚀 GmbH",
        Reason_Detail__c="x" * 100_000,
        Lead_Score__c="high",
    )

    result = normalize("sf", SALESFORCE, record)

    lead = result.lead
    assert (lead.email, lead.phone, lead.score, lead.company) == (None, None, None, "Zoë 🚀 GmbH")
    assert lead.reason_detail == "x" * MAX_TEXT
    assert [(p.field, p.message.split(" (")[0]) for p in result.problems] == [
        ("reason_detail", f"longer than {MAX_TEXT} characters; cut"),
        ("email", "not a valid email address"),
        ("phone", "not a phone number"),
        ("score", "not a number"),
    ]
    assert all(len(p.value_preview) <= PREVIEW + 20 for p in result.problems)


@pytest.mark.parametrize(
    ("email", "phone", "invalid"),
    [
        ("ana@", "unknown", (True, True)),
        ("ana@example.com", "+14155550123", (False, False)),
        (None, "", (False, False)),
        ("  ", "+1 415 555 0123", (False, False)),
        ("ana@example.com", "12", (False, True)),
    ],
)
def test_given_contact_data_then_invalid_is_told_from_missing(
    email: str | None, phone: str | None, invalid: tuple[bool, bool]
) -> None:
    lead = normalize("sf", SALESFORCE, salesforce_lead(Email=email, Phone=phone)).lead

    assert (lead.email_invalid, lead.phone_invalid) == invalid


def test_given_nulls_everywhere_then_an_empty_lead_whose_only_problem_is_its_status() -> None:
    record = SourceRecord("00Q1", MODSTAMP, {"Id": "00Q1"})

    result = normalize("sf", SALESFORCE, record)

    assert [(p.field, p.code) for p in result.problems] == [("status", "missing_status")]
    assert (result.lead.status, result.lead.email, result.lead.wants_call) == (None, None, False)
    assert result.lead.modified_at == MODSTAMP


def test_given_a_converted_salesforce_lead_then_converted_whatever_the_status() -> None:
    record = salesforce_lead(
        IsConverted=True, Status="Working - Contacted", ConvertedDate="2026-02-20"
    )

    lead = normalize("sf", SALESFORCE, record).lead

    assert (lead.status, lead.raw_status) == (Status.CONVERTED, "Working - Contacted")
    assert lead.converted_at == datetime(2026, 2, 20, tzinfo=UTC)


def test_given_deleted_and_merged_records_then_the_lead_says_so() -> None:
    merged = salesforce_lead(IsDeleted=True, MasterRecordId="00Q000000000002AAA")
    archived = SourceRecord("7", MODSTAMP, hubspot_contact().fields, deleted=True)

    lead = normalize("sf", SALESFORCE, merged).lead
    assert (lead.is_deleted, lead.merged_into) == (True, "00Q000000000002AAA")
    assert normalize("hs", HUBSPOT, archived).lead.is_deleted


VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=50),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(SALESFORCE.crm_fields()), VALUES))
def test_normalize_never_raises_whatever_the_values(fields: dict[str, object]) -> None:
    """Given any values in any mapped field, normalize returns a lead (maybe with problems)."""
    result = normalize("sf", SALESFORCE, SourceRecord("00Q1", MODSTAMP, fields))

    assert result.lead.external_id == "00Q1"


def test_given_canonical_changes_then_crm_fields_and_write_values() -> None:
    changes = {
        "status": Status.NURTURE,
        "nurture_reason": "Bad Timing",
        "unqualified_reason": None,
    }

    assert to_crm_changes(SALESFORCE, changes) == {
        "Status": "Nurture",
        "Nurture_Reason__c": "Bad Timing",
        "Unqualified_Reason__c": None,
    }
    assert to_crm_changes(HUBSPOT, {"status": "unqualified", "review_flag": "reason needed"}) == {
        "hs_lead_status": "UNQUALIFIED",
        "leadloop_review": "reason needed",
    }


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"email": "x@example.com"}, "does not let leadloop write 'email'"),
        ({"status": "converted"}, "no write value for status 'converted'"),
        ({"shoe_size": 42}, "does not let leadloop write 'shoe_size'"),
    ],
)
def test_given_a_change_the_mapping_cannot_write_then_value_error(
    changes: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        to_crm_changes(SALESFORCE, changes)
