"""Describe entries as :class:`~connectors.base.FieldInfo`: what a field takes on write.

Field types, ``length``, ``updateable``, ``picklistValues[{active, defaultValue, value}]`` per
the DescribeSObjectResult field reference:
https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_describesobjects_describesobjectresult.htm
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.base import Correction, FieldInfo

TEXT_TYPES = frozenset({"string", "textarea", "email", "phone", "url", "combobox"})
NUMBER_TYPES = frozenset({"double", "int", "long", "currency", "percent"})
KINDS = {"boolean": "boolean", "picklist": "picklist", "date": "date", "datetime": "datetime"}


def field_info(item: Mapping[str, Any]) -> FieldInfo:
    """The FieldInfo of one ``fields[]`` entry of a describe result."""
    crm_type = str(item.get("type"))
    kind = KINDS.get(crm_type, "other")
    if crm_type in TEXT_TYPES:
        kind = "text"
    elif crm_type in NUMBER_TYPES:
        kind = "number"
    active = [v for v in item.get("picklistValues") or [] if v.get("active")]
    default = next((str(v["value"]) for v in active if v.get("defaultValue")), None)
    length = item.get("length")
    return FieldInfo(
        name=str(item["name"]),
        kind=kind,
        crm_type=crm_type,
        writable=bool(item.get("updateable")),
        length=int(length) if kind == "text" and isinstance(length, int) and length > 0 else None,
        options=tuple(str(v["value"]) for v in active) if kind == "picklist" else (),
        default=default if kind == "picklist" else None,
    )


def typed(value: str | None, kind: str | None) -> Any:
    """A correction's text value as the JSON type the field takes (describe ``type``).

    Raises ValueError for text that is not a value of that type.
    """
    if value is None or value == "":
        return None
    if kind == "boolean":
        if value.lower() not in ("true", "false"):
            raise ValueError(f"{value!r} is not true/false")
        return value.lower() == "true"
    if kind == "int":
        return int(value)
    if kind in ("double", "currency", "percent"):
        return float(value)
    return value


def typed_changes(c: Correction, types: Mapping[str, str]) -> dict[str, Any]:
    """The correction's changes typed per field (see :func:`typed`)."""
    return {name: typed(value, types.get(name)) for name, value in c.changes.items()}
