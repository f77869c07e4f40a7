"""What a write's property values must satisfy before anything is stored.

In order: every property exists, is writable and takes the value (:mod:`.properties`; a task
or note update silently drops read-only and unknown ones, as the tasks guide says); a date
given as epoch milliseconds is midnight UTC (quirk ``date_midnight``: "If you use the UNIX
timestamp format, you must use an EPOCH millisecond timestamp (i.e. the value must be set to
midnight UTC for the date)", https://developers.hubspot.com/docs/api-reference/crm-properties-v3/
guide); a create sets the type's required properties (a custom object's
``requiredProperties``, a task's ``hs_timestamp``); no unique value is taken by another record
(409 CONFLICT "... already exists. Existing ID: N").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from connectors.sandbox.hubspot.errors import property_error
from connectors.sandbox.hubspot.properties import problems_message
from connectors.sandbox.hubspot.store import ObjectStore
from connectors.sandbox.hubspot.values import to_millis

DAY_MS = 86_400_000


@dataclass
class Checked:
    """Clean values, or why they are refused (``category`` VALIDATION_ERROR or CONFLICT)."""

    values: dict[str, str] = field(default_factory=dict)
    category: str | None = None
    message: str = ""
    problems: list[dict[str, Any]] = field(default_factory=list)
    conflict_property: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the values may be written."""
        return self.category is None


def check(
    store: ObjectStore,
    values: dict[str, Any],
    *,
    own_id: int | None,
    creating: bool,
    midnight_dates: bool,
) -> Checked:
    """Validate ``values`` for a create (``creating``) or an update of record ``own_id``."""
    if not creating and store.kind.lenient_update:
        values = _writable(store, values)
    clean, problems = store.registry.check(values)
    if midnight_dates:
        problems += _non_midnight_dates(store, values)
    if creating:
        problems += _missing_required(store, clean)
    if problems:
        return Checked(
            category="VALIDATION_ERROR", message=problems_message(problems), problems=problems
        )
    clash = unique_clash(store, clean, own_id)
    if clash is not None:
        return Checked(
            category="CONFLICT", message=clash_message(store, clash[1]), conflict_property=clash[0]
        )
    return Checked(values=clean)


def _writable(store: ObjectStore, values: dict[str, Any]) -> dict[str, Any]:
    """``values`` without read-only and unknown properties (a task or note update)."""
    defs = store.registry.defs
    return {k: v for k, v in values.items() if k in defs and not defs[k].read_only}


def _missing_required(store: ObjectStore, clean: dict[str, str]) -> list[dict[str, Any]]:
    return [
        property_error(name, "REQUIRED_PROPERTY", f'Property "{name}" is required')
        for name in store.kind.required
        if not (clean.get(name) or "").strip()
    ]


def _non_midnight_dates(store: ObjectStore, values: dict[str, Any]) -> list[dict[str, Any]]:
    problems = []
    for name, raw in values.items():
        definition = store.registry.get(name)
        text = "" if raw is None else str(raw).strip()
        if definition is None or definition.type != "date" or not text.lstrip("-").isdigit():
            continue
        stamp = to_millis(text)
        if stamp is not None and stamp % DAY_MS:
            problems.append(
                property_error(
                    name,
                    "INVALID_DATE",
                    f"{text} is not midnight UTC; a date property takes the epoch milliseconds "
                    f"of midnight UTC or an ISO date for property {name}",
                )
            )
    return problems


def unique_clash(
    store: ObjectStore, values: dict[str, str], own_id: int | None
) -> tuple[str, int] | None:
    """(property, existing id) when a value is already taken by another live record."""
    for name, value in values.items():
        if store.is_unique(name):
            owner = store.unique_owner(name, value)
            if owner is not None and owner != own_id:
                return name, owner
    return None


def clash_message(store: ObjectStore, owner: int) -> str:
    """HubSpot's 409 message for a taken unique value."""
    return f"{store.kind.label.capitalize()} already exists. Existing ID: {owner}"
