"""Contact property definitions: enumeration options, adding missing options, creating properties.

HubSpot accepts only an option's internal ``value`` for enumeration properties (labels are
refused: https://developers.hubspot.com/docs/api-reference/legacy/crm/objects/contacts/batch/update-contacts);
options are edited with ``PATCH /crm/v3/properties/contacts/{name}`` carrying the *full*
option list (https://developers.hubspot.com/docs/api-reference/crm-properties-v3/core/patch-crm-v3-properties-objectType-propertyName).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from hubspot.crm.properties import OptionInput, PropertyUpdate

from connectors.base import FieldInfo
from connectors.hubspot.client import HubSpotApi

OBJECT_TYPE = "contacts"


#: HubSpot property ``type`` -> FieldInfo kind (https://developers.hubspot.com/docs/api/crm/properties,
#: "Property type and fieldType values")
KINDS = {
    "string": "text",
    "bool": "boolean",
    "enumeration": "picklist",
    "number": "number",
    "date": "date",
    "datetime": "datetime",
}


@dataclass(frozen=True)
class PropertyInfo:
    """What the connector needs to know about one contact property."""

    name: str
    type: str
    options: tuple[str, ...]  # internal values, in display order
    field_type: str = ""
    writable: bool = True  # not calculated, value not read-only (modificationMetadata)

    @property
    def is_enumeration(self) -> bool:
        return self.type == "enumeration"

    def field_info(self) -> FieldInfo:
        """The property as :class:`FieldInfo` (no length: HubSpot states none per property)."""
        kind = KINDS.get(self.type, "other")
        return FieldInfo(
            name=self.name,
            kind=kind,
            crm_type=f"{self.type}/{self.field_type}" if self.field_type else self.type,
            writable=self.writable,
            options=self.options if kind == "picklist" else (),
        )


def _writable(prop: Mapping[str, Any]) -> bool:
    meta = prop.get("modificationMetadata") or {}
    return not (prop.get("calculated") or meta.get("readOnlyValue"))


class PropertyCatalog:
    """Contact property definitions, read on first use (:meth:`refresh` to re-read now,
    :meth:`forget` to re-read on the next use)."""

    def __init__(self, api: HubSpotApi, *, create_missing_options: bool) -> None:
        self.api = api
        self.create_missing_options = create_missing_options
        self._defs: dict[str, PropertyInfo] | None = None
        self._raw_options: dict[str, list[OptionInput]] = {}

    def refresh(self) -> dict[str, PropertyInfo]:
        """Read every contact property definition (one call)."""
        core = self.api.endpoint("crm.properties.core_api")
        data, _ = self.api.call_json(
            "properties_read", core.get_all_with_http_info, OBJECT_TYPE, shape={"results": list}
        )
        self._defs, self._raw_options = {}, {}
        for prop in data["results"]:
            options = [o for o in prop.get("options") or [] if o.get("value") is not None]
            name = str(prop["name"])
            self._defs[name] = PropertyInfo(
                name,
                str(prop.get("type")),
                tuple(str(o["value"]) for o in options),
                str(prop.get("fieldType") or ""),
                _writable(prop),
            )
            self._raw_options[name] = [
                OptionInput(
                    label=o.get("label"),
                    value=o["value"],
                    display_order=o.get("displayOrder"),
                    hidden=bool(o.get("hidden")),
                    description=o.get("description"),
                )
                for o in options
            ]
        return self._defs

    def forget(self) -> None:
        """Drop the cached definitions: the next use reads them again."""
        self._defs, self._raw_options = None, {}

    def definitions(self) -> dict[str, PropertyInfo]:
        """The cached definitions (read on first use)."""
        return self._defs if self._defs is not None else self.refresh()

    def missing(self, names: Iterable[str]) -> list[str]:
        """The given property names this account does not have."""
        defs = self.definitions()
        return [name for name in names if name not in defs]

    def field_options(self, name: str) -> frozenset[str] | None:
        """Option values of an enumeration property; None for free-form or unknown ones."""
        info = self.definitions().get(name)
        if info is None or not info.is_enumeration:
            return None
        return frozenset(info.options)

    def invalid_values(self, changes: Mapping[str, str | None]) -> dict[str, str]:
        """``{property: value}`` for values an enumeration property has no option for."""
        bad = {}
        for name, value in changes.items():
            options = self.field_options(name)
            if value and options is not None and value not in options:
                bad[name] = value
        return bad

    def add_options(self, wanted: Mapping[str, Sequence[str]]) -> None:
        """Add missing options, one PATCH per property (the label is the value itself)."""
        for name, values in wanted.items():
            info = self.definitions()[name]
            new = [v for v in dict.fromkeys(values) if v not in info.options]
            if not new:
                continue
            options = list(self._raw_options.get(name, []))
            start = len(options)
            options += [
                OptionInput(label=v, value=v, display_order=start + i, hidden=False)
                for i, v in enumerate(new)
            ]
            core = self.api.endpoint("crm.properties.core_api")
            self.api.call(
                "properties_write",
                core.update_with_http_info,
                OBJECT_TYPE,
                name,
                PropertyUpdate(options=options),
            )
            self._raw_options[name] = options
            assert self._defs is not None
            self._defs[name] = replace(info, options=info.options + tuple(new))


def not_an_option(name: str, value: str) -> str:
    """The DEAD message for a value the property has no option for."""
    return (
        f"value {value!r} is not an option of property {name!r} "
        f"(enable create_missing_options or add it in HubSpot)"
    )
