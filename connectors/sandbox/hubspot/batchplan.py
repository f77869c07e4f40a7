"""Deciding, before anything is written, what each input of a batch write would do.

A :class:`Plan` per input: the record it updates (None: it creates one), its checked values, or
why it is refused, or that its id does not exist. Batch-level refusals come first:
duplicate ids in an update, and ``idProperty`` rules (quirk ``id_property_rules``): "To update
contacts in batches, you must use the contacts' Record ID values" (https://developers.hubspot.com/
docs/api-reference/legacy/crm/objects/contacts/guide), and an idProperty that is not a unique
property, hs_object_id included, is refused with "Unable to perform update/upsert by
non-unique ... property" (HubSpot/hubspot-api-nodejs#548, segmentio/action-destinations#3957).
Two inputs claiming one unique value conflict with each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from connectors.sandbox.hubspot import errors
from connectors.sandbox.hubspot.checks import Checked
from connectors.sandbox.hubspot.objects import properties_of
from connectors.sandbox.hubspot.store import ObjectStore, Record
from connectors.sandbox.server import Response

if TYPE_CHECKING:
    from connectors.sandbox.hubspot.objects import ObjectsApi


@dataclass
class Plan:
    key: str  # the input's id (or its position, for a create)
    trace: str | None = None
    record: Record | None = None
    checked: Checked | None = None
    absent: bool = False
    upsert: bool = False

    @property
    def writable(self) -> bool:
        """Whether this input is written."""
        return not self.absent and self.checked is not None and self.checked.ok


class Planner:
    """Plans the inputs of one batch create, update or upsert."""

    def __init__(
        self, objects: ObjectsApi, store: ObjectStore, action: str, strict_ids: bool
    ) -> None:
        self.objects, self.store, self.action, self.strict_ids = objects, store, action, strict_ids
        self._claimed: dict[tuple[str, str], str] = {}
        self._id_property = ""  # the body-level idProperty, when the inputs name none

    def refuse_batch(self, body: dict[str, Any], inputs: list[Any]) -> Response | None:
        """A 400 for the batch as a whole, or None."""
        if self.action == "update":
            keys = [str(item.get("id")) for item in inputs]
            duplicates = sorted({k for k in keys if keys.count(k) > 1})
            if duplicates:
                return errors.validation(
                    f"Duplicate IDs found in batch input: {duplicates}. IDs must be unique"
                )
        if self.action == "create":
            return None
        self._id_property = str(body.get("idProperty") or "")
        for item in inputs:
            name = str(item.get("idProperty") or body.get("idProperty") or "")
            if name and not self._id_property_ok(name):
                return errors.validation(
                    f"Unable to perform update/upsert by non-unique {self.store.kind.type_id} "
                    f"property {name} in portal ID {errors.PORTAL_ID}"
                )
        return None

    def _id_property_ok(self, name: str) -> bool:
        if name == "hs_object_id":
            return not self.strict_ids
        if self.action == "update" and self.store.kind.type_id == "0-1" and self.strict_ids:
            return False
        return self.store.is_unique(name)

    def plan(self, inputs: list[Any]) -> list[Plan]:
        """One plan per input, in order."""
        return [self._plan(position, item) for position, item in enumerate(inputs)]

    def _plan(self, position: int, item: dict[str, Any]) -> Plan:
        trace = item.get("objectWriteTraceId")
        key = str(position) if self.action == "create" else str(item.get("id"))
        plan = Plan(key, trace if isinstance(trace, str) else None, upsert=self.action == "upsert")
        values = properties_of(item)
        if values is None:
            plan.checked = Checked(
                category="VALIDATION_ERROR", message="the input needs a 'properties' object"
            )
            return plan
        if self.action != "create":
            id_property = str(item.get("idProperty") or self._id_property)
            plan.record = self.store.find(key, id_property)
            if plan.record is None:
                if self.action == "update" or id_property in ("", "hs_object_id"):
                    plan.absent = True  # by record id, an upsert can only update
                    return plan
                values = {**values, id_property: key}
        own = plan.record.id if plan.record is not None else None
        checked = self.objects.check(self.store, values, own, creating=own is None)
        plan.checked = self._unclaimed(checked, key)
        return plan

    def _unclaimed(self, checked: Checked, key: str) -> Checked:
        """``checked``, or a conflict when an earlier input of the batch holds a unique value."""
        if not checked.ok:
            return checked
        for name, value in checked.values.items():
            if not self.store.is_unique(name) or not value.strip():
                continue
            claim = (name, value.strip().casefold())
            if claim in self._claimed:
                return Checked(
                    category="CONFLICT",
                    message=f"Duplicate value {value!r} for unique property {name} in inputs "
                    f"{self._claimed[claim]} and {key}",
                    conflict_property=name,
                )
            self._claimed[claim] = key
        return checked


def input_error(plan: Plan, traced: bool) -> dict[str, Any]:
    """The 207 ``errors`` entry of a refused input."""
    checked = plan.checked
    assert checked is not None and checked.category is not None
    entry: dict[str, Any] = {
        "status": "error",
        "category": checked.category,
        "message": checked.message,
    }
    if traced:
        entry["context"] = {"objectWriteTraceId": [plan.trace]}
        return entry
    names = [p["name"] for p in checked.problems]
    if checked.conflict_property:
        names = [checked.conflict_property]
    entry["context"] = {"ids": [plan.key], **({"propertyName": names} if names else {})}
    entry["errors"] = errors.error_details(checked.problems)
    entry["links"] = {}
    return entry
