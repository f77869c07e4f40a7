"""Mapping files: the built-in ones, and what the loader accepts and refuses."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from connectors.registry import connector_type
from mappings.catalogue_loader import MappingError, load_catalogue
from mappings.loader import (
    CANONICAL_FIELDS,
    CANONICAL_STATUSES,
    builtin_mappings,
    load_mapping,
    mapping_path,
    reason_catalogue,
)
from mappings.stream_keys import StreamKeys
from sync.domain import Lead, Status

CATALOGUE = load_catalogue()


def test_canonical_statuses_in_mappings_equal_the_domain_statuses() -> None:
    assert tuple(status.value for status in Status) == CANONICAL_STATUSES


def test_canonical_fields_in_mappings_are_lead_fields() -> None:
    lead_fields = {f.name for f in dataclasses.fields(Lead)}

    assert set(CANONICAL_FIELDS) <= lead_fields


@pytest.mark.parametrize("name", builtin_mappings())
def test_given_a_builtin_mapping_then_every_write_value_reads_back_as_its_status(name: str) -> None:
    mapping = load_mapping(name, CATALOGUE)

    for canonical, value in mapping.status_write_values.items():
        assert mapping.status_of(value) == canonical
    assert mapping.fields["nurture_reason"].writable
    assert mapping.fields["unqualified_reason"].writable
    assert not mapping.fields["email"].writable


def test_given_the_salesforce_mapping_then_statuses_follow_the_design() -> None:
    mapping = load_mapping("salesforce_lead", CATALOGUE)

    assert mapping.status_of("Open - Not Contacted") == "new"
    assert mapping.status_of("closed - not converted ") == "unqualified"
    assert mapping.status_of("Closed - Converted") == "converted"
    assert mapping.status_of("Hot") is None
    assert mapping.crm_field("unqualified_reason") == "Unqualified_Reason__c"
    # flags go to the owner's tasks: most orgs refuse any update of an Unqualified lead
    # without a reason, exactly the leads a flag is for
    assert (mapping.flag_channel, mapping.review_flag_field, mapping.flags) == ("task", None, True)
    assert mapping.crm_fields()[:3] == ("Id", "SystemModstamp", "IsDeleted")
    assert len(mapping.crm_fields()) == len(set(mapping.crm_fields()))


def test_given_the_hubspot_mapping_then_lead_statuses_follow_the_design() -> None:
    mapping = load_mapping("hubspot_contact", CATALOGUE)

    expected = {
        "NEW": "new",
        "OPEN": "new",
        "ATTEMPTED_TO_CONTACT": "working",
        "CONNECTED": "working",
        "IN_PROGRESS": "working",
        "BAD_TIMING": "nurture",
        "UNQUALIFIED": "unqualified",
        "OPEN_DEAL": "qualified",
    }
    assert {value: mapping.status_of(value) for value in expected} == expected
    assert mapping.crm_field("title") == "jobtitle"
    assert mapping.converted_field is None


@pytest.mark.parametrize(
    ("name", "keys"),
    [
        ("salesforce_lead", StreamKeys("Lead", "Id", "SystemModstamp")),
        ("hubspot_contact", StreamKeys("contacts", "hs_object_id", "lastmodifieddate")),
    ],
)
def test_given_a_builtin_mapping_then_its_stream_keys_are_what_its_connector_reads(
    name: str, keys: StreamKeys
) -> None:
    mapping = load_mapping(name, CATALOGUE)

    read = connector_type(mapping.crm).streams[mapping.object]
    assert mapping.stream == keys
    assert (read.object, read.id_field, read.modstamp_field) == (
        keys.object,
        keys.id_field,
        keys.modstamp_field,
    )


def test_given_a_mapping_path_relative_to_the_config_then_it_loads(tmp_path: Path) -> None:
    (tmp_path / "maps").mkdir()
    (tmp_path / "maps" / "lead.yaml").write_text(
        "crm: salesforce\nobject: Lead\nid_field: Id\nmodstamp_field: SystemModstamp\n"
        "fields:\n  status: Status\n  company: Company\nstatuses:\n  Open: new\n",
        encoding="utf-8",
    )

    mapping = load_mapping("maps/lead.yaml", CATALOGUE, base_dir=tmp_path)

    assert (mapping.crm_field("company"), mapping.status_of("open")) == ("Company", "new")
    assert mapping.source_path == tmp_path / "maps" / "lead.yaml"


def test_given_an_unknown_name_then_the_error_lists_the_builtins() -> None:
    with pytest.raises(ValueError, match=r"unknown mapping 'pipedrive_person'.*salesforce_lead"):
        load_mapping("pipedrive_person", CATALOGUE)


def test_given_a_mapping_without_required_keys_then_all_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("crm: salesforce\nfield: {}\ncolour: red\n", encoding="utf-8")

    with pytest.raises(MappingError) as caught:
        load_mapping(str(path), CATALOGUE)

    assert [str(i) for i in caught.value.issues][:3] == [
        f"{path}:2: field: unknown key 'field'; did you mean 'fields'?",
        f"{path}:3: colour: unknown key 'colour'; expected crm, object, id_field, "
        "modstamp_field, deleted_field, merged_into_field, converted_field, converted_values, "
        "review_flag_field, flag_channel, fields, statuses, status_write_values, reasons",
        f"{path}:1: missing required key 'object'",
    ]


def test_given_a_mapping_with_its_own_reason_values_then_they_become_the_crms_values(
    tmp_path: Path,
) -> None:
    path = tmp_path / "lead.yaml"
    path.write_text(
        "crm: salesforce\nobject: Lead\nid_field: Id\nmodstamp_field: SystemModstamp\n"
        "fields:\n  status: Status\nstatuses:\n  Open: new\n"
        "reasons:\n  Timing - Not Now: bad_timing\n",
        encoding="utf-8",
    )
    mapping = load_mapping(str(path), CATALOGUE)

    catalogue = reason_catalogue(mapping, CATALOGUE)

    assert catalogue.value_for("salesforce", "bad_timing") == "Timing - Not Now"
    assert catalogue.resolve("salesforce", "Timing - Not Now").canonical
    assert catalogue.value_for("hubspot", "bad_timing") == "bad_timing"
    assert CATALOGUE.value_for("salesforce", "bad_timing") == "Bad Timing"


def test_given_two_values_for_one_code_then_the_mapping_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "lead.yaml"
    path.write_text(
        "crm: salesforce\nobject: Lead\nid_field: Id\nmodstamp_field: SystemModstamp\n"
        "fields:\n  status: Status\nstatuses:\n  Open: new\n"
        "reasons:\n  Later: bad_timing\n  Not Now: bad_timing\n",
        encoding="utf-8",
    )

    with pytest.raises(MappingError) as caught:
        load_mapping(str(path), CATALOGUE)

    assert str(caught.value) == (
        f"{path}:11: reasons.Not Now: 'bad_timing' already has the "
        "value 'Later'; one CRM value per code"
    )


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ("flag_channel: email\n", "flag_channel: expected field or task, not 'email'"),
        (
            "flag_channel: task\nreview_flag_field: Flag__c\n",
            "review_flag_field: flag_channel task writes flags as tasks",
        ),
    ],
)
def test_given_a_flag_channel_it_cannot_honour_then_the_mapping_is_refused_at_its_line(
    tmp_path: Path, lines: str, message: str
) -> None:
    text = mapping_path("salesforce_lead").read_text(encoding="utf-8")
    path = tmp_path / "lead.yaml"
    path.write_text(text.replace("flag_channel: task\n", lines), encoding="utf-8")

    with pytest.raises(MappingError, match=message):
        load_mapping(str(path), CATALOGUE)


def test_given_flag_channel_field_with_a_flag_field_then_flags_go_into_it(tmp_path: Path) -> None:
    text = mapping_path("salesforce_lead").read_text(encoding="utf-8")
    path = tmp_path / "lead.yaml"
    field = "flag_channel: field\nreview_flag_field: Flag__c\n"
    path.write_text(text.replace("flag_channel: task\n", field), encoding="utf-8")

    mapping = load_mapping(str(path), CATALOGUE)

    assert (mapping.flag_channel, mapping.crm_field("review_flag")) == ("field", "Flag__c")
    assert "Flag__c" in mapping.crm_fields()
