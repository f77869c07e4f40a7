"""Spec: the review flag takes the form its field takes (text, checkbox, picklist option), and
a field leadloop cannot write a flag into is refused with a message naming it and its type."""

from __future__ import annotations

from dataclasses import replace

import pytest

from connectors.base import FieldInfo
from sync.domain import Lead, Status
from sync.pipeline.policies import Change, evaluate
from sync.pipeline.policies.model import FlagForm
from sync.pipeline.writability import Unwritable, flag_form
from tests.builders import lead
from tests.policies.support import context

CHECKBOX, OPTION = FlagForm("boolean"), FlagForm("option", option="Needs review")
MISSING = lead(status=Status.UNQUALIFIED)  # no reason: require_reason flags it
FIXED = lead(status=Status.UNQUALIFIED, unqualified_reason="Competitor")


def flag_change(current: Lead, flag: str | None, form: FlagForm) -> Change | None:
    """The review flag correction of ``current`` holding ``flag``, if any."""
    result = evaluate(replace(current, review_flag=flag), None, context(flag_form=form))
    return next((c for c in result.corrections if c.field == "review_flag"), None)


@pytest.mark.parametrize(
    ("current", "old", "new"),
    [(MISSING, "False", "true"), (FIXED, "True", "false"), (MISSING, None, "true")],
)
def test_given_a_checkbox_flag_then_checked_while_flagged_and_unchecked_after(
    current: Lead, old: str | None, new: str
) -> None:
    change = flag_change(current, old, CHECKBOX)
    assert change is not None and (change.old, change.new) == (old, new)


@pytest.mark.parametrize(("current", "old"), [(MISSING, "True"), (FIXED, "False"), (FIXED, None)])
def test_given_a_checkbox_already_right_then_nothing_is_written(
    current: Lead, old: str | None
) -> None:
    assert flag_change(current, old, CHECKBOX) is None


def test_given_a_picklist_flag_then_its_option_while_flagged_then_cleared() -> None:
    set_ = flag_change(MISSING, None, OPTION)
    cleared = flag_change(FIXED, "Needs review", OPTION)
    assert set_ is not None and set_.new == "Needs review"
    assert cleared is not None and cleared.new is None


def test_given_a_humans_picklist_value_and_nothing_to_flag_then_it_is_kept() -> None:
    assert flag_change(FIXED, "Escalated to marketing", OPTION) is None


def test_given_a_short_text_field_then_the_flag_is_cut_to_its_length() -> None:
    change = flag_change(MISSING, None, FlagForm("text", max_length=20))
    assert change is not None and change.new == "leadloop: unqualifi…"


@pytest.mark.parametrize(
    ("info", "form"),
    [
        (FieldInfo("F", "text", "string", length=80), FlagForm("text", max_length=80)),
        (FieldInfo("F", "text", "string/textarea"), FlagForm("text")),
        (FieldInfo("F", "boolean", "boolean"), FlagForm("boolean")),
        (
            FieldInfo("F", "picklist", "picklist", options=("A", "B"), default="B"),
            FlagForm("option", option="B"),
        ),
        (
            FieldInfo("F", "picklist", "enumeration", options=("A", "B")),
            FlagForm("option", option="A"),
        ),
    ],
)
def test_given_a_field_description_then_the_flag_form_follows_it(
    info: FieldInfo, form: FlagForm
) -> None:
    assert flag_form(info, "F") == form


@pytest.mark.parametrize(
    ("info", "message"),
    [
        (None, "review flag field F: the CRM has no such field"),
        (FieldInfo("F", "date", "date"), "review flag field F is a date field"),
        (FieldInfo("F", "picklist", "picklist"), "review flag field F is a picklist field"),
        (FieldInfo("F", "text", "string", writable=False), "F is read-only"),
    ],
)
def test_given_a_field_leadloop_cannot_flag_then_it_is_refused_by_name(
    info: FieldInfo | None, message: str
) -> None:
    with pytest.raises(Unwritable, match=message):
        flag_form(info, "F")
