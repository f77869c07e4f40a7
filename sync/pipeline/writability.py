"""Whether leadloop can write what a mapping asks it to write, in the CRM as described.

``leadloop check --connect`` lists every problem (:func:`write_problems`); a sync builds the
review flag's form from the same description (:func:`flag_form`) and refuses to start on a
flag field it cannot write. A field's type comes from the connector (describe, property
definitions), never from a guess.
"""

from __future__ import annotations

from connectors.base import Connector, FieldInfo, SchemaError
from mappings.loader import SourceMapping
from sync.domain import REASON_FIELDS
from sync.pipeline.policies.model import REVIEW_FLAG_MAX_LENGTH, FlagForm

#: field kinds leadloop can write a reason or a status into
VALUE_KINDS = ("picklist", "text")


class Unwritable(ValueError):
    """A mapped field leadloop cannot write as the mapping asks (the message says why)."""


def flag_form(info: FieldInfo | None, field_name: str) -> FlagForm:
    """The form of a review flag written into ``info`` (Unwritable when none fits)."""
    if info is None:
        raise Unwritable(f"review flag field {field_name}: the CRM has no such field")
    if not info.writable:
        raise Unwritable(f"review flag field {field_name} is read-only for leadloop's API user")
    if info.kind == "text":
        return FlagForm("text", max_length=info.length or REVIEW_FLAG_MAX_LENGTH)
    if info.kind == "boolean":
        return FlagForm("boolean")
    if info.kind == "picklist" and info.options:
        return FlagForm("option", option=info.default or info.options[0])
    raise Unwritable(
        f"review flag field {field_name} is a {info.crm_type} field: leadloop writes a review "
        "flag into a text field, a checkbox or a picklist (with at least one value)"
    )


#: a task's subject holds the flag: Salesforce's Task.Subject takes 255 characters
TASK_SUBJECT_LENGTH = 255


def review_flag_form(mapping: SourceMapping, connector: Connector) -> FlagForm:
    """The mapping's review flag form in this CRM (SchemaError when it cannot be written)."""
    if mapping.flag_channel == "task":
        return FlagForm("text", max_length=TASK_SUBJECT_LENGTH)
    if mapping.review_flag_field is None:
        return FlagForm()
    try:
        return flag_form(connector.field_info(mapping.review_flag_field), mapping.review_flag_field)
    except Unwritable as problem:
        raise SchemaError(f"mapping {mapping.name}: {problem}") from None


def write_problems(mapping: SourceMapping, connector: Connector) -> list[str]:
    """Every field the mapping lets leadloop write that the CRM would not take from it."""
    problems = []
    if mapping.review_flag_field is not None:
        try:
            flag_form(connector.field_info(mapping.review_flag_field), mapping.review_flag_field)
        except Unwritable as unwritable:
            problems.append(str(unwritable))
    for canonical in _written(mapping):
        name = mapping.crm_field(canonical)
        found = _value_problem(canonical, name, connector.field_info(name))
        if found is not None:
            problems.append(found)
    return [f"mapping {mapping.name}: {problem}" for problem in problems]


def _written(mapping: SourceMapping) -> list[str]:
    """The canonical fields (status, reasons) leadloop may write through ``mapping``."""
    written = [name for name in REASON_FIELDS if name in mapping.fields]
    written = [name for name in written if mapping.fields[name].writable]
    return (["status"] if mapping.status_write_values else []) + written


def _value_problem(canonical: str, name: str, info: FieldInfo | None) -> str | None:
    if info is None:
        return f"{canonical} field {name}: the CRM has no such field"
    if not info.writable:
        return f"{canonical} field {name} is writable in the mapping but read-only in the CRM"
    if info.kind not in VALUE_KINDS:
        return (
            f"{canonical} field {name} is a {info.crm_type} field: leadloop writes reasons and "
            "statuses into picklists or text fields (make it so, or drop `writable: true`)"
        )
    return None
