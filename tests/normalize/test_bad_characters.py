"""Half surrogate pairs and NUL characters: cleaned to U+FFFD, reported per CRM field."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mappings.catalogue_loader import load_catalogue
from mappings.loader import load_mapping
from sync.pipeline.clean import NUL, SURROGATE, clean_payload, clean_text
from sync.pipeline.normalize import normalize
from tests.normalize.records import hubspot_contact, salesforce_lead

SALESFORCE = load_mapping("salesforce_lead", load_catalogue())
HUBSPOT = load_mapping("hubspot_contact", load_catalogue())


def test_given_half_a_pair_and_a_nul_then_each_becomes_the_replacement_character() -> None:
    assert clean_text("Acme \ud83d Ltd") == ("Acme \ufffd Ltd", frozenset({SURROGATE}))
    assert clean_text("Head\x00 of Sales") == ("Head\ufffd of Sales", frozenset({NUL}))
    assert clean_text("é\x00\udc00") == ("é\ufffd\ufffd", frozenset({NUL, SURROGATE}))


def test_given_a_whole_pair_in_two_code_points_then_it_is_joined_not_reported() -> None:
    assert clean_text("a\ud83d\ude00b") == ("a\U0001f600b", frozenset())


def test_given_text_already_holding_a_replacement_character_then_it_is_not_reported() -> None:
    assert clean_text("broken \ufffd already") == ("broken \ufffd already", frozenset())


def test_given_a_nested_payload_then_keys_values_lists_and_objects_are_cleaned() -> None:
    raw = {"Owner": {"Name": "Zo\x00e"}, "Tags": ["ok", "\udc00", "a\x00"], "N\x00": 1, "Fine": 2.5}

    cleaned, found = clean_payload(raw)

    assert cleaned == {
        "Owner": {"Name": "Zo\ufffde"},
        "Tags": ["ok", "\ufffd", "a\ufffd"],
        "N\ufffd": 1,
        "Fine": 2.5,
    }
    assert found == {"Owner": {NUL}, "Tags": {SURROGATE, NUL}, "N\ufffd": {NUL}}


#: text as JSON can carry it: surrogates, control characters (NUL among them), letters
ANY_TEXT = st.text(st.characters(categories=["Cs", "Cc", "Lu", "Ll", "So"]))


@given(ANY_TEXT)
def test_given_any_text_then_the_cleaned_text_is_storable_and_clean_twice(text: str) -> None:
    cleaned, found = clean_text(text)

    cleaned.encode("utf-8")  # SQLite's and PostgreSQL's encoding: no half pair survives
    assert "\x00" not in cleaned
    assert (NUL in found) == ("\x00" in text)
    assert clean_text(cleaned) == (cleaned, frozenset())


def test_given_a_mapped_field_with_half_a_pair_then_the_lead_and_its_payload_are_clean() -> None:
    result = normalize("sf", SALESFORCE, salesforce_lead(Company="Acme \ud83d Ltd"))

    assert result.lead.company == "Acme \ufffd Ltd"
    assert result.lead.raw["Company"] == "Acme \ufffd Ltd"
    (problem,) = result.problems
    assert (problem.field, problem.code) == ("company", "bad_characters")
    assert problem.value_preview == "'Acme \\ud83d Ltd'"  # what was there, printable
    assert problem.message == (
        "held half of a surrogate pair (Company): stored with \ufffd (U+FFFD) in its place"
    )


def test_given_an_unmapped_property_with_a_nul_then_the_problem_names_the_crm_field() -> None:
    result = normalize("hs", HUBSPOT, hubspot_contact(notes_last_contacted="x\x00y"))

    (problem,) = result.problems
    assert (problem.field, problem.code) == ("notes_last_contacted", "bad_characters")
    assert problem.message.startswith("held a NUL character (notes_last_contacted): stored")
    assert result.lead.raw["notes_last_contacted"] == "x\ufffdy"


def test_given_a_bad_status_value_then_it_is_cleaned_before_the_vocabulary_lookup() -> None:
    result = normalize("hs", HUBSPOT, hubspot_contact(hs_lead_status="UNQUALIFIED\x00"))

    assert result.lead.status is None and result.lead.raw_status == "UNQUALIFIED\ufffd"
    assert {p.code for p in result.problems} == {"bad_characters", "bad_value"}
