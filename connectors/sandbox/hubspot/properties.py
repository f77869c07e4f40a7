"""Property definitions of one object type, the Properties API view of them, and write checks.

HubSpot refuses writes to unknown and read-only properties and enumeration values that are not
an option's internal ``value`` ("Read-only and non-existent properties will result in an error",
batch update reference). :meth:`PropertyRegistry.check` returns those errors in HubSpot's
"Property values were not valid" entry shape.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from connectors.sandbox.hubspot.errors import property_error
from connectors.sandbox.hubspot.values import normalise_write

TYPES = ("string", "number", "date", "datetime", "enumeration", "bool")
REQUIRED = ("name", "label", "type", "fieldType", "groupName")
CREATED_AT = "2025-01-06T09:00:00.000Z"  # fixed, so seeded definitions are deterministic


@dataclass
class PropertyDef:
    name: str
    label: str
    type: str = "string"
    field_type: str = "text"
    group_name: str = "contactinformation"
    options: list[dict[str, Any]] = field(default_factory=list)
    read_only: bool = False
    has_unique_value: bool = False
    calculated: bool = False
    hidden: bool = False
    description: str = ""
    display_order: int = -1
    hubspot_defined: bool = False
    created_at: str = CREATED_AT
    updated_at: str = CREATED_AT

    def option_values(self) -> list[str]:
        """The internal values of the options."""
        return [str(option["value"]) for option in self.options]

    def to_json(self) -> dict[str, Any]:
        """The Properties API representation."""
        return {
            "name": self.name,
            "label": self.label,
            "type": self.type,
            "fieldType": self.field_type,
            "groupName": self.group_name,
            "description": self.description,
            "options": self.options,
            "displayOrder": self.display_order,
            "calculated": self.calculated,
            "externalOptions": False,
            "hasUniqueValue": self.has_unique_value,
            "hidden": self.hidden,
            "hubspotDefined": self.hubspot_defined,
            "modificationMetadata": {
                "archivable": not self.hubspot_defined,
                "readOnlyDefinition": self.hubspot_defined,
                "readOnlyValue": self.read_only,
            },
            "formField": not self.read_only,
            "dataSensitivity": "non_sensitive",
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
            "archived": False,
        }

    @classmethod
    def from_api(cls, body: dict[str, Any], now_iso: str) -> PropertyDef:
        """A definition from a Properties API create body (validated by the caller)."""
        return cls(
            name=body["name"],
            label=body["label"],
            type=body["type"],
            field_type=body["fieldType"],
            group_name=body["groupName"],
            options=[option_json(o, i) for i, o in enumerate(body.get("options") or [])],
            has_unique_value=bool(body.get("hasUniqueValue", False)),
            hidden=bool(body.get("hidden", False)),
            description=body.get("description") or "",
            display_order=int(body.get("displayOrder", -1)),
            created_at=now_iso,
            updated_at=now_iso,
        )


def option_json(option: dict[str, Any], index: int) -> dict[str, Any]:
    """An option with HubSpot's keys filled in."""
    return {
        "label": str(option.get("label", option.get("value", ""))),
        "value": str(option.get("value", "")),
        "displayOrder": int(option.get("displayOrder", index)),
        "hidden": bool(option.get("hidden", False)),
        "description": option.get("description") or "",
    }


#: type -> the fieldTypes it takes (the table of
#: https://developers.hubspot.com/docs/api-reference/crm-properties-v3/guide)
FIELD_TYPES = {
    "bool": ("booleancheckbox", "calculation_equation"),
    "enumeration": ("booleancheckbox", "checkbox", "radio", "select", "calculation_equation"),
    "date": ("date",),
    "datetime": ("date",),
    "string": ("file", "text", "textarea", "calculation_equation", "html", "phonenumber"),
    "number": ("number", "calculation_equation"),
}
#: "You can have up to ten unique ID properties per object" (same page)
MAX_UNIQUE = 10


def create_problems(body: Any) -> list[str]:
    """What is wrong with a property-create body (empty when it is valid)."""
    if not isinstance(body, dict):
        return ["the body must be a JSON object"]
    problems = [f"{key} is required" for key in REQUIRED if not body.get(key)]
    kind, field_type = body.get("type"), body.get("fieldType")
    if kind and kind not in TYPES:
        problems.append(f"type {kind!r} is not one of {list(TYPES)}")
    elif kind and field_type and field_type not in FIELD_TYPES[kind]:
        problems.append(
            f"fieldType {field_type!r} is not valid for type {kind!r} "
            f"(valid: {', '.join(FIELD_TYPES[kind])})"
        )
    if kind == "enumeration" and not isinstance(body.get("options", []), list):
        problems.append("options must be a list")
    return problems


class PropertyRegistry:
    """The properties and groups of one object type."""

    def __init__(
        self, object_label: str, definitions: list[PropertyDef], groups: list[dict[str, Any]]
    ) -> None:
        self.object_label = object_label  # e.g. CONTACT, used in error messages
        self.defs: dict[str, PropertyDef] = {d.name: d for d in definitions}
        self.groups: dict[str, dict[str, Any]] = {g["name"]: g for g in groups}

    def get(self, name: str) -> PropertyDef | None:
        """The definition named ``name``, if any."""
        return self.defs.get(name)

    def kind(self, name: str) -> str:
        """The HubSpot type of a property (string when unknown)."""
        definition = self.defs.get(name)
        return definition.type if definition else "string"

    def unique_names(self) -> list[str]:
        """Properties with ``hasUniqueValue``."""
        return [d.name for d in self.defs.values() if d.has_unique_value]

    def add(self, definition: PropertyDef) -> None:
        """Add (or replace) a definition."""
        self.defs[definition.name] = definition

    def check(
        self, values: dict[str, Any], *, system: bool = False
    ) -> tuple[dict[str, str], list[dict[str, Any]]]:
        """Normalised values and HubSpot property errors (``system``: allow read-only)."""
        clean: dict[str, str] = {}
        problems: list[dict[str, Any]] = []
        for name, raw in values.items():
            problem = self._problem(name, raw, system)
            if problem is not None:
                problems.append(problem)
                continue
            value = normalise_write(self.defs[name].type, "" if raw is None else str(raw))
            if value is None:
                problems.append(
                    property_error(
                        name,
                        "INVALID_" + self.defs[name].type.upper(),
                        f"{raw} is not a valid {self.defs[name].type} value for property {name}",
                    )
                )
            else:
                clean[name] = value
        return clean, problems

    def _problem(self, name: str, raw: Any, system: bool) -> dict[str, Any] | None:
        definition = self.defs.get(name)
        if definition is None:
            return property_error(
                name, "PROPERTY_DOESNT_EXIST", f'Property "{name}" does not exist'
            )
        if definition.read_only and not system:
            return property_error(
                name,
                "READ_ONLY_VALUE",
                f'Property "{name}" is a read only property; its value cannot be set.',
            )
        value = "" if raw is None else str(raw)
        if definition.type == "enumeration" and value and not self._option_ok(definition, value):
            return property_error(
                name,
                "INVALID_OPTION",
                f"{value} was not one of the allowed options: "
                f"[{', '.join(definition.option_values())}]",
            )
        return None

    @staticmethod
    def _option_ok(definition: PropertyDef, value: str) -> bool:
        allowed = definition.option_values()
        if definition.field_type == "checkbox":  # multi-select: values joined by ";"
            return all(part in allowed for part in value.split(";"))
        return value in allowed

    def to_state(self) -> dict[str, Any]:
        """JSON-ready state."""
        return {
            "object_label": self.object_label,
            "groups": list(self.groups.values()),
            "defs": [asdict(d) for d in self.defs.values()],
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> PropertyRegistry:
        """A registry rebuilt from :meth:`to_state` output."""
        return cls(
            state["object_label"], [PropertyDef(**d) for d in state["defs"]], state["groups"]
        )


def problems_message(problems: list[dict[str, Any]]) -> str:
    """HubSpot's message for rejected property values (the list is embedded as JSON)."""
    return "Property values were not valid: " + json.dumps(problems, separators=(",", ":"))
