"""The feedback custom object: its schema, made when missing, and records upserted 100 a call.

Custom objects need an Enterprise portal and the private app's scopes
``crm.schemas.custom.read``/``write`` and ``crm.objects.custom.read``/``write``
(https://developers.hubspot.com/docs/api-reference/crm-custom-objects-v3/guide); a 403 there
means this portal cannot take the target (:class:`TargetUnavailable`). Schemas:
``GET``/``POST /crm-object-schemas/v3/schemas`` (the path hubspot-api-client calls;
https://developers.hubspot.com/docs/api-reference/legacy/crm/objects/schemas/create-schema);
a property the schema lacks: ``POST /crm/v3/properties/{objectTypeId}``. Records:
``POST /crm/v3/objects/{objectTypeId}/batch/upsert`` with ``idProperty`` naming a property
with unique values (https://developers.hubspot.com/docs/api-reference/latest/crm/objects/custom-objects/batch/upsert-custom-objects),
so a replayed batch updates the same records instead of creating twins.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from hubspot.crm.objects import (
    BatchInputSimplePublicObjectBatchInput,
    BatchInputSimplePublicObjectBatchInputUpsert,
    SimplePublicObjectBatchInput,
    SimplePublicObjectBatchInputUpsert,
)
from hubspot.crm.properties import PropertyCreate
from hubspot.crm.schemas import ObjectSchemaEgg, ObjectTypeDefinitionLabels

from connectors.base import Forbidden
from connectors.hubspot.client import HubSpotApi
from connectors.hubspot.marketing import (
    PropertySpec,
    Pushed,
    TargetUnavailable,
    batch_answers,
    by_name,
    chunks,
    missing_properties,
)

NO_CUSTOM_OBJECTS = (
    "HubSpot refused the custom object schemas ({error}): custom objects need an Enterprise "
    "portal and the private app's scopes crm.schemas.custom.read/write and "
    "crm.objects.custom.read/write; the custom object target is skipped"
)


class FeedbackObject:
    """One custom object type whose records leadloop owns, keyed by ``key`` (unique)."""

    def __init__(
        self,
        api: HubSpotApi,
        name: str,
        properties: Sequence[PropertySpec],
        key: str,
        *,
        create: bool,
        label: str = "Lead feedback",
    ) -> None:
        self.api, self.name, self.properties, self.key = api, name, tuple(properties), key
        self.create, self.label = create, label
        self.type_id: str | None = None

    def ensure(self) -> str:
        """The object's type id, once its schema holds every property (made if allowed)."""
        schema = self._find()
        if schema is None:
            if not self.create:
                raise TargetUnavailable(
                    f"HubSpot has no custom object {self.name!r} and "
                    f"feedback.custom_object.create is false: create it, or allow leadloop to"
                )
            schema = self._create_schema()
        self.type_id = str(schema["objectTypeId"])
        self._complete(schema)
        return self.type_id

    def _guarded(self, operation: str, fn: Any, *args: Any) -> dict[str, Any]:
        try:
            data, _ = self.api.call_json(operation, fn, *args)
        except Forbidden as exc:
            raise TargetUnavailable(NO_CUSTOM_OBJECTS.format(error=exc)) from exc
        return data

    def _find(self) -> dict[str, Any] | None:
        schemas = self.api.endpoint("crm.schemas.core_api")
        data = self._guarded("schemas_read", schemas.get_all_with_http_info)
        for schema in data.get("results") or []:
            if isinstance(schema, dict) and schema.get("name") == self.name:
                return schema
        return None

    def _create_schema(self) -> dict[str, Any]:
        egg = ObjectSchemaEgg(
            name=self.name,
            labels=ObjectTypeDefinitionLabels(singular=self.label, plural=self.label),
            primary_display_property=self.key,
            required_properties=[self.key],
            searchable_properties=[self.key],
            secondary_display_properties=[],
            associated_objects=[],
            properties=[spec.create_body(None) for spec in self.properties],
        )
        schemas = self.api.endpoint("crm.schemas.core_api")
        return self._guarded("schemas_write", schemas.create_with_http_info, egg)

    def _complete(self, schema: Mapping[str, Any]) -> None:
        """Check the existing schema's properties; add the missing ones when allowed."""
        found = by_name(schema.get("properties"))
        where = f"custom object {self.name!r}"
        for spec in missing_properties(where, self.properties, found, self.create):
            self._add_property(spec)

    def _add_property(self, spec: PropertySpec) -> None:
        core = self.api.endpoint("crm.properties.core_api")
        body = spec.create_body(None)
        create = PropertyCreate(
            name=body["name"], label=body["label"], type=body["type"],
            field_type=body["fieldType"], description=body["description"],
            has_unique_value=body["hasUniqueValue"], options=body["options"],
            # a custom object's own group: "<name>_information" (the schema example of
            # https://developers.hubspot.com/docs/api-reference/legacy/crm/objects/schemas/create-schema)
            group_name=f"{self.name}_information",
        )  # fmt: skip
        self._guarded("properties_write", core.create_with_http_info, self.type_id, create)

    def upsert(self, records: Sequence[tuple[str, Mapping[str, str]]]) -> list[Pushed]:
        """Create or update the records (unique key, properties), 100 per call."""
        answers: list[Pushed] = []
        for batch in chunks(records):
            answers += self._upsert(batch)
        return answers

    def _upsert(self, batch: Sequence[tuple[str, Mapping[str, str]]]) -> list[Pushed]:
        body = BatchInputSimplePublicObjectBatchInputUpsert(
            inputs=[
                SimplePublicObjectBatchInputUpsert(
                    id=key, id_property=self.key, properties={**props, self.key: key}
                )
                for key, props in batch
            ]
        )
        batch_api = self.api.endpoint("crm.objects.batch_api")
        data = self._guarded("objects_upsert", batch_api.upsert_with_http_info, self._type(), body)
        return batch_answers([k for k, _ in batch], data, self._key_of)

    def update(self, records: Sequence[tuple[str, Mapping[str, str]]]) -> list[Pushed]:
        """Update existing records by record id (id, properties), 100 per call."""
        answers: list[Pushed] = []
        batch_api = self.api.endpoint("crm.objects.batch_api")
        for batch in chunks(records):
            body = BatchInputSimplePublicObjectBatchInput(
                inputs=[SimplePublicObjectBatchInput(id=i, properties=dict(p)) for i, p in batch]
            )
            update = batch_api.update_with_http_info
            data = self._guarded("objects_update", update, self._type(), body)
            answers += batch_answers([i for i, _ in batch], data, lambda r: str(r.get("id")))
        return answers

    def _type(self) -> str:
        if self.type_id is None:
            raise RuntimeError("FeedbackObject.ensure() must run before records are written")
        return self.type_id

    def _key_of(self, result: Mapping[str, Any]) -> str:
        return str((result.get("properties") or {}).get(self.key))
