"""Feedback on contacts: leadloop's own properties in its own group, read and written 100
contacts a call.

Groups: ``GET``/``POST /crm/v3/properties/contacts/groups``
(https://developers.hubspot.com/docs/api-reference/legacy/crm/properties/groups/create-property).
Properties: ``GET``/``POST /crm/v3/properties/contacts``; an enumeration's options are edited
with ``PATCH /crm/v3/properties/contacts/{name}`` carrying the full list
(https://developers.hubspot.com/docs/api-reference/legacy/crm/properties/core/update-property).
A property that exists with another type is reported, never changed. Values: batch read and
batch update (https://developers.hubspot.com/docs/api-reference/legacy/crm/objects/contacts/batch/update-contacts);
a date property takes ``YYYY-MM-DD`` (https://developers.hubspot.com/docs/api/faq), a cleared
value is ``""``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from hubspot.crm.contacts import (
    BatchInputSimplePublicObjectBatchInput,
    SimplePublicObjectBatchInput,
)
from hubspot.crm.properties import PropertyCreate, PropertyGroupCreate, PropertyUpdate

from connectors.hubspot.client import CONTACTS_BATCH, HubSpotApi
from connectors.hubspot.marketing import (
    PropertySpec,
    Pushed,
    batch_answers,
    by_name,
    chunks,
    missing_properties,
)

OBJECT_TYPE = "contacts"
Values = dict[str, str | None]


class ContactFeedback:
    """leadloop's feedback properties on the contacts of one portal."""

    def __init__(
        self,
        api: HubSpotApi,
        properties: Sequence[PropertySpec],
        *,
        group: str,
        group_label: str = "leadloop feedback",
        create: bool,
    ) -> None:
        self.api, self.properties = api, tuple(properties)
        self.group, self.group_label, self.create = group, group_label, create

    @property
    def names(self) -> list[str]:
        return [spec.name for spec in self.properties]

    def ensure(self) -> None:
        """Make the group and properties that are missing (when allowed), add enumeration
        options that are missing; refuse a property that exists with another type."""
        if self.create:
            self._ensure_group()
        core = self.api.endpoint("crm.properties.core_api")
        data, _ = self.api.call_json("properties_read", core.get_all_with_http_info, OBJECT_TYPE)
        found = by_name(data.get("results"))
        for spec in missing_properties("HubSpot contacts", self.properties, found, self.create):
            self._create_property(spec)
        for spec in self.properties:
            if spec.name in found and spec.options:
                self._add_options(spec, found[spec.name])

    def _ensure_group(self) -> None:
        groups = self.api.endpoint("crm.properties.groups_api")
        data, _ = self.api.call_json("properties_read", groups.get_all_with_http_info, OBJECT_TYPE)
        if any(g.get("name") == self.group for g in data.get("results") or []):
            return
        body = PropertyGroupCreate(name=self.group, label=self.group_label, display_order=-1)
        self.api.call_json("properties_write", groups.create_with_http_info, OBJECT_TYPE, body)

    def _create_property(self, spec: PropertySpec) -> None:
        body = spec.create_body(self.group)
        create = PropertyCreate(
            name=body["name"], label=body["label"], type=body["type"],
            field_type=body["fieldType"], description=body["description"],
            group_name=body["groupName"], options=body["options"],
        )  # fmt: skip
        core = self.api.endpoint("crm.properties.core_api")
        self.api.call_json("properties_write", core.create_with_http_info, OBJECT_TYPE, create)

    def _add_options(self, spec: PropertySpec, found: Mapping[str, Any]) -> None:
        options = [o for o in found.get("options") or [] if isinstance(o, dict)]
        have = {str(o.get("value")) for o in options}
        new = [(value, label) for value, label in spec.options if value not in have]
        if not new:
            return
        listed = [
            {"label": o.get("label"), "value": o.get("value"), "hidden": bool(o.get("hidden")),
             "displayOrder": o.get("displayOrder", i)}
            for i, o in enumerate(options)
        ] + [
            {"label": label, "value": value, "hidden": False, "displayOrder": len(options) + i}
            for i, (value, label) in enumerate(new)
        ]  # fmt: skip
        core = self.api.endpoint("crm.properties.core_api")
        self.api.call_json(
            "properties_write",
            core.update_with_http_info,
            OBJECT_TYPE,
            spec.name,
            PropertyUpdate(options=listed),
        )

    def read(self, ids: Sequence[str]) -> dict[str, Values]:
        """The feedback properties of live contacts among ``ids`` (archived ones are absent)."""
        found: dict[str, Values] = {}
        for batch in chunks(list(dict.fromkeys(ids))):
            data = self.api.batch_read("batch_read", CONTACTS_BATCH, batch, self.names)
            for contact in data.get("results") or []:
                props = contact.get("properties") or {}
                found[str(contact.get("id"))] = {name: props.get(name) for name in self.names}
        return found

    def update(self, updates: Sequence[tuple[str, Mapping[str, str]]]) -> list[Pushed]:
        """Write (contact id, properties), 100 contacts per call."""
        answers: list[Pushed] = []
        batch_api = self.api.endpoint("crm.contacts.batch_api")
        for batch in chunks(updates):
            request = BatchInputSimplePublicObjectBatchInput(
                inputs=[SimplePublicObjectBatchInput(id=i, properties=dict(p)) for i, p in batch]
            )
            data, _ = self.api.call_json("batch_update", batch_api.update_with_http_info, request)
            answers += batch_answers([i for i, _ in batch], data, lambda r: str(r.get("id")))
        return answers
