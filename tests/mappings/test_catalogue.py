"""The default reason catalogue and the catalogue loader."""

from __future__ import annotations

from pathlib import Path

import pytest

from mappings.catalogue_loader import MappingError, load_catalogue

NURTURE = {
    "bad_timing",
    "no_budget_now",
    "unresponsive",
    "connected_not_interested",
    "low_interest_score",
}
UNQUALIFIED = {
    "bad_contact_data",
    "wrong_persona",
    "no_fit_industry",
    "out_of_territory",
    "competitor",
    "student_or_job_seeker",
    "duplicate",
    "existing_customer",
}


def test_given_the_default_catalogue_then_codes_and_statuses_are_as_designed() -> None:
    catalogue = load_catalogue()

    assert {c for c, r in catalogue.reasons.items() if r.status == "nurture"} == NURTURE
    assert {c for c, r in catalogue.reasons.items() if r.status == "unqualified"} == UNQUALIFIED


@pytest.mark.parametrize(
    ("crm", "value", "codes", "canonical"),
    [
        ("salesforce", "Connected - Not Interested", ("connected_not_interested",), True),
        ("salesforce", "No Fit - Industry", ("no_fit_industry",), True),
        ("hubspot", "no_budget_now", ("no_budget_now",), True),
        ("salesforce", "No Budget", ("no_budget_now",), False),
        ("salesforce", " wrong timing ", ("bad_timing",), False),
        ("salesforce", "Not Interested", ("connected_not_interested", "unresponsive"), False),
        ("hubspot", "not_interested", ("connected_not_interested", "unresponsive"), False),
        ("hubspot", "timing", ("bad_timing",), False),
        ("salesforce", "Other", (), False),
        ("salesforce", "Because", (), False),
    ],
)
def test_given_a_crm_value_when_resolved_then_it_means_the_listed_codes(
    crm: str, value: str, codes: tuple[str, ...], canonical: bool
) -> None:
    resolution = load_catalogue().resolve(crm, value)

    assert (resolution.codes, resolution.canonical) == (codes, canonical)


def test_given_the_default_catalogue_then_salesforce_values_are_labels_and_hubspot_codes() -> None:
    catalogue = load_catalogue()

    for code, reason in catalogue.reasons.items():
        assert catalogue.value_for("salesforce", code) == reason.label
        assert catalogue.value_for("hubspot", code) == code


def test_given_a_legacy_value_that_is_already_a_catalogue_value_then_it_is_an_error(
    tmp_path: Path,
) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(
        "reasons:\n  competitor: {label: Competitor, status: unqualified}\n"
        "legacy:\n  hubspot:\n    Competitor: [competitor]\n",
        encoding="utf-8",
    )

    with pytest.raises(MappingError) as caught:
        load_catalogue(path)

    assert str(caught.value) == (
        f"{path}:5: legacy.hubspot.Competitor: already a catalogue "
        "value, code or label; a legacy entry would never be used"
    )


def test_given_two_codes_with_the_same_crm_value_then_it_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(
        "reasons:\n  a: {label: A, status: nurture, values: {salesforce: Later}}\n"
        "  b: {label: B, status: nurture, values: {salesforce: later}}\n",
        encoding="utf-8",
    )

    with pytest.raises(MappingError) as caught:
        load_catalogue(path)

    assert str(caught.value) == (
        f"{path}:3: reasons.b.values.salesforce: value 'later' is already used by 'a'"
    )
