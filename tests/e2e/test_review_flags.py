"""The review flag is written in the form its field takes: a checkbox checked, a picklist set
to its option, text cut to the field's length; a field leadloop cannot write is refused by
``check --connect`` and by the sync before anything is pulled."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from connectors.base import SchemaError
from sync.cli import cli
from sync.config.settings import load_settings
from sync.store.models import OutboxItem, OutboxState
from tests.e2e.conftest import Harness
from tests.e2e.org_shapes import HS_FLAG, SF_FLAG, checkbox_flags, salesforce_field
from tests.org_mappings import map_salesforce_flag_field


def flags_in_a_field(harness: Harness) -> None:
    """The org keeps its review flags in Leadloop_Review__c (flag_channel: field)."""
    map_salesforce_flag_field(harness.config)
    harness.settings = load_settings(harness.config)


def _flag_items(harness: Harness, source: str) -> list[OutboxItem]:
    with harness.sessions() as session:
        query = select(OutboxItem).where(
            OutboxItem.source == source, OutboxItem.field == "review_flag"
        )
        return list(session.scalars(query))


def test_given_checkbox_flag_fields_when_the_loop_runs_then_the_boxes_are_checked(
    harness: Harness,
) -> None:
    flags_in_a_field(harness)
    checkbox_flags(harness.box.salesforce, harness.box.hubspot)

    harness.sync()

    ambiguous = harness.sf_leads("ambiguous_reason")
    assert ambiguous and all(lead[SF_FLAG] is True for lead in ambiguous)
    assert all(lead[SF_FLAG] is False for lead in harness.sf_leads("working_clean"))
    contacts = harness.hs_contacts("ambiguous_reason")
    assert contacts and all(c["properties"][HS_FLAG] == "true" for c in contacts)
    hubspot = _flag_items(harness, "hubspot")
    assert hubspot and {i.state for i in hubspot} == {OutboxState.SENT}
    assert {i.new_value for i in hubspot} == {"true"}
    dead = [i for i in _flag_items(harness, "salesforce") if i.state is OutboxState.DEAD]
    assert all("validation rule" in (i.last_error or "") for i in dead)  # issue 9.5, not types


def test_given_a_picklist_flag_field_when_the_loop_runs_then_it_holds_its_option(
    harness: Harness,
) -> None:
    flags_in_a_field(harness)
    picklist = ("Needs review", "Done")
    salesforce_field(harness.box.salesforce, SF_FLAG, "picklist", length=255, picklist=picklist)

    harness.sync("salesforce")

    assert {lead[SF_FLAG] for lead in harness.sf_leads("ambiguous_reason")} == {"Needs review"}


def test_given_a_date_flag_field_when_checking_the_connection_then_the_mapping_is_refused(
    harness: Harness,
) -> None:
    flags_in_a_field(harness)
    salesforce_field(harness.box.salesforce, SF_FLAG, "date")

    result = CliRunner().invoke(cli, ["check", "-c", str(harness.config), "--connect"])

    assert result.exit_code == 2, result.output
    assert f"review flag field {SF_FLAG} is a date field" in result.stderr
    assert "text field, a checkbox or a picklist" in result.stderr


def test_given_a_writable_reason_field_that_is_a_checkbox_when_checking_then_it_is_refused(
    harness: Harness,
) -> None:
    salesforce_field(harness.box.salesforce, "Nurture_Reason__c", "boolean", nillable=False)

    result = CliRunner().invoke(cli, ["check", "-c", str(harness.config), "--connect"])

    assert result.exit_code == 2, result.output
    assert "nurture_reason field Nurture_Reason__c is a boolean field" in result.stderr
    assert ": OK" not in result.stdout


def test_given_an_unwritable_mapping_when_checking_as_json_then_not_valid_and_the_problem_listed(
    harness: Harness,
) -> None:
    salesforce_field(harness.box.salesforce, "Nurture_Reason__c", "boolean", nillable=False)

    result = CliRunner().invoke(cli, ["check", "-c", str(harness.config), "--connect", "--json"])

    answer = json.loads(result.stdout)
    assert result.exit_code == 2
    assert answer["valid"] is False
    assert any("Nurture_Reason__c is a boolean field" in p for p in answer["unwritable"])


def test_given_a_date_flag_field_when_syncing_then_the_run_stops_before_writing(
    harness: Harness,
) -> None:
    flags_in_a_field(harness)
    salesforce_field(harness.box.salesforce, SF_FLAG, "date")

    with pytest.raises(SchemaError, match=f"review flag field {SF_FLAG} is a date field"):
        harness.sync("salesforce")

    assert harness.writes() == 0
