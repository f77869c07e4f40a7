"""Reason values -> catalogue codes and kinds, as the aggregation counts them."""

from __future__ import annotations

import pytest

from mappings.catalogue_loader import load_catalogue
from sync.feedback.codes import classify, reason_codes

CATALOGUE = load_catalogue()


@pytest.mark.parametrize(
    ("crm", "value", "expected"),
    [
        ("salesforce", "Unresponsive", ("unresponsive", "catalogue")),
        ("hubspot", "unresponsive", ("unresponsive", "catalogue")),
        ("salesforce", " unresponsive ", ("unresponsive", "variant")),
        ("salesforce", "Connected - Not Interested", ("connected_not_interested", "catalogue")),
        ("salesforce", "No Budget", ("no_budget_now", "legacy")),
        ("salesforce", "no response", ("unresponsive", "legacy")),
        ("salesforce", "Not Interested", ("unmapped", "ambiguous")),
        ("salesforce", "Other", ("unmapped", "vague")),
        ("salesforce", "called twice, no answer", ("unmapped", "unknown")),
        ("salesforce", None, ("missing", "missing")),
        ("salesforce", "   ", ("missing", "missing")),
    ],
)
def test_given_a_stored_reason_value_then_its_code_and_kind_are_the_catalogues(
    crm: str, value: str | None, expected: tuple[str, str]
) -> None:
    assert classify(CATALOGUE, crm, value) == expected


def test_given_values_of_an_unconfigured_source_then_they_are_left_out() -> None:
    found = reason_codes(
        [("sf", "Competitor"), ("gone", "Competitor")], {"sf": (CATALOGUE, "salesforce")}
    )

    assert [(c.source, c.value, c.code, c.kind) for c in found] == [
        ("sf", "Competitor", "competitor", "catalogue")
    ]
