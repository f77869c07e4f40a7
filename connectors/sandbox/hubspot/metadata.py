"""Properties API (``/crm/v3/properties/{type}``, groups) and custom object schemas.

Schemas are served on ``/crm-object-schemas/v3/schemas`` (the path hubspot-api-client uses)
and ``/crm/v3/schemas``. A created schema gets an objectTypeId ``2-NNNNN`` and a
fullyQualifiedName ``p<portal>_<name>``; its records are then reachable under
``/crm/v3/objects/<objectTypeId | fullyQualifiedName | p_<name>>``. Custom objects need an
Enterprise subscription (https://developers.hubspot.com/docs/api-reference/crm-custom-objects-v3/
guide); an emulator built with ``custom_objects=False`` answers every schema call with 403
MISSING_SCOPES, as a portal without them does.
"""

from __future__ import annotations

import re
from typing import Any

from connectors.sandbox.hubspot import errors
from connectors.sandbox.hubspot.defaults import custom_object_properties
from connectors.sandbox.hubspot.errors import PORTAL_ID
from connectors.sandbox.hubspot.properties import (
    MAX_UNIQUE,
    PropertyDef,
    create_problems,
    option_json,
)
from connectors.sandbox.hubspot.store import ObjectKind, ObjectStore
from connectors.sandbox.server import Request, Response

NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
FIRST_OBJECT_TYPE = 12345
EDITABLE = {
    "label": "label",
    "description": "description",
    "groupName": "group_name",
    "fieldType": "field_type",
    "hidden": "hidden",
    "displayOrder": "display_order",
}


def properties_api(store: ObjectStore, request: Request, rest: list[str], now_iso: str) -> Response:
    """``/crm/v3/properties/{type}[/groups][/{name}]``."""
    registry = store.registry
    if rest and rest[0] == "groups":
        return _groups(store, request, rest[1:])
    if not rest:
        if request.method == "GET":
            return Response.json({"results": [d.to_json() for d in registry.defs.values()]})
        return _create_property(store, request.json(), now_iso)
    definition = registry.get(rest[0])
    if definition is None:
        return errors.not_found(
            f"Unable to find property {rest[0]} for object type {registry.object_label}"
        )
    if request.method == "PATCH":
        return _update_property(definition, request.json(), now_iso)
    return Response.json(definition.to_json())


def _create_property(store: ObjectStore, body: Any, now_iso: str) -> Response:
    problems = create_problems(body)
    if not problems and body["groupName"] not in store.registry.groups:
        problems.append(f"property group {body['groupName']!r} does not exist")
    if not problems and body.get("hasUniqueValue") and _custom_unique(store) >= MAX_UNIQUE:
        problems.append(f"an object can have at most {MAX_UNIQUE} unique properties")
    if problems:
        return errors.validation("Invalid property definition: " + "; ".join(problems))
    if store.registry.get(body["name"]) is not None:
        return errors.conflict(
            f"A property named '{body['name']}' already exists.",
            subCategory="PropertyValidationError.PROPERTY_EXISTS",
        )
    definition = PropertyDef.from_api(body, now_iso)
    store.registry.add(definition)
    if definition.has_unique_value:
        store.enable_unique()
    return Response.json(definition.to_json(), 201)


def _custom_unique(store: ObjectStore) -> int:
    """Unique properties the portal added (email, a HubSpot-defined one, does not count)."""
    defs = store.registry.defs.values()
    return sum(1 for d in defs if d.has_unique_value and not d.hubspot_defined)


def _update_property(definition: PropertyDef, body: Any, now_iso: str) -> Response:
    if not isinstance(body, dict):
        return errors.validation("the body must be a JSON object")
    for key, attribute in EDITABLE.items():
        if key in body:
            setattr(definition, attribute, body[key])
    if "options" in body:
        definition.options = [option_json(o, i) for i, o in enumerate(body["options"] or [])]
    definition.updated_at = now_iso
    return Response.json(definition.to_json())


def _groups(store: ObjectStore, request: Request, rest: list[str]) -> Response:
    groups = store.registry.groups
    if rest:
        group = groups.get(rest[0])
        if group is None:
            return errors.not_found(f"Unable to find property group {rest[0]}")
        return Response.json(group)
    if request.method == "GET":
        return Response.json({"results": list(groups.values())})
    body = request.json()
    if not isinstance(body, dict) or not body.get("name") or not body.get("label"):
        return errors.validation("a property group needs a name and a label")
    if body["name"] in groups:
        return errors.conflict(f"A property group named '{body['name']}' already exists.")
    group = {
        "name": body["name"],
        "label": body["label"],
        "displayOrder": int(body.get("displayOrder", -1)),
        "archived": False,
    }
    groups[group["name"]] = group
    return Response.json(group, 201)


class Schemas:
    """Custom object schemas and their stores."""

    def __init__(self) -> None:
        self.meta: dict[str, dict[str, Any]] = {}  # objectTypeId -> schema body (no properties)
        self.stores: dict[str, ObjectStore] = {}

    def resolve(self, name: str) -> ObjectStore | None:
        """The store for an objectTypeId, fullyQualifiedName, ``p_<name>`` or plain name."""
        folded = name.casefold()
        for store in self.stores.values():
            if folded in (alias.casefold() for alias in store.kind.names):
                return store
        return None

    def handle(self, request: Request, rest: list[str], now_iso: str) -> Response:
        """``GET``/``POST`` on the schema list, ``GET`` on one schema."""
        if rest:
            store = self.resolve(rest[0])
            if store is None:
                return errors.not_found(f"Unable to find object schema {rest[0]}")
            return Response.json(self.to_json(store))
        if request.method == "GET":
            return Response.json({"results": [self.to_json(s) for s in self.stores.values()]})
        return self._create(request.json(), now_iso)

    def _create(self, egg: Any, now_iso: str) -> Response:
        problem = egg_problem(egg)
        if problem:
            return errors.validation(problem)
        if self.resolve(egg["name"]) is not None:
            return errors.conflict(f"An object schema named '{egg['name']}' already exists.")
        number = FIRST_OBJECT_TYPE + len(self.stores)
        type_id, name = f"2-{number}", egg["name"]
        group = f"{name}_information"  # as the schemas guide's create answer shows it
        defs = [PropertyDef.from_api(_with_defaults(p, group), now_iso) for p in egg["properties"]]
        primary = egg.get("primaryDisplayProperty") or defs[0].name
        required = tuple(egg.get("requiredProperties") or ())
        kind = ObjectKind(
            type_id,
            name.upper(),
            "hs_createdate",
            ("hs_lastmodifieddate",),
            (primary, "hs_createdate", "hs_lastmodifieddate", "hs_object_id"),
            first_id=1_000_001 + 100_000 * len(self.stores),
            names=(type_id, f"p{PORTAL_ID}_{name}", f"p_{name}", name),
            required=required,
        )
        store = ObjectStore(kind, custom_object_properties(name.upper(), defs, group))
        self.stores[type_id] = store
        self.meta[type_id] = {
            "id": str(number),
            "objectTypeId": type_id,
            "fullyQualifiedName": f"p{PORTAL_ID}_{name}",
            "name": name,
            "labels": egg["labels"],
            "description": egg.get("description"),
            "primaryDisplayProperty": primary,
            "requiredProperties": list(required),
            "searchableProperties": egg.get("searchableProperties") or [],
            "secondaryDisplayProperties": egg.get("secondaryDisplayProperties") or [],
            "associations": [],
            "archived": False,
            "createdAt": now_iso,
            "updatedAt": now_iso,
        }
        return Response.json(self.to_json(store), 201)

    def to_json(self, store: ObjectStore) -> dict[str, Any]:
        """The ObjectSchema body of a custom object type."""
        return {
            **self.meta[store.kind.type_id],
            "properties": [d.to_json() for d in store.registry.defs.values()],
        }

    def to_state(self) -> dict[str, Any]:
        """JSON-ready state (for :meth:`HubSpotEmulator.save`)."""
        return {"meta": self.meta, "stores": {k: s.to_state() for k, s in self.stores.items()}}

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Schemas:
        """Schemas rebuilt from :meth:`to_state` output."""
        schemas = cls()
        schemas.meta = state["meta"]
        schemas.stores = {k: ObjectStore.from_state(s) for k, s in state["stores"].items()}
        return schemas


def _with_defaults(prop: dict[str, Any], group: str) -> dict[str, Any]:
    """A schema property with the guide's defaults: "property type is set to string and the
    fieldType is set to text" when not given."""
    return {"type": "string", "fieldType": "text", "groupName": group, **prop}


def egg_problem(egg: Any) -> str | None:
    """Why a schema-create body is refused (None: it is valid). The rules of the schemas guide
    (https://developers.hubspot.com/docs/api-reference/legacy/crm/objects/schemas/guide): the
    name "can only contain letters, numbers, and underscores, and the first character must be a
    letter"; labels singular and plural; the display, searchable and required properties are
    among the schema's properties; at most ten unique properties (properties guide)."""
    if not isinstance(egg, dict):
        return "the schema body must be a JSON object"
    missing = [k for k in ("name", "labels", "properties") if not egg.get(k)]
    if missing:
        return f"the schema is missing {', '.join(missing)}"
    if not NAME.fullmatch(str(egg["name"])):
        return (
            f"name {egg['name']!r} must be letters, numbers and underscores, starting with a letter"
        )
    labels = egg["labels"] if isinstance(egg["labels"], dict) else {}
    if not labels.get("singular") or not labels.get("plural"):
        return "labels needs both singular and plural"
    if not isinstance(egg["properties"], list):
        return "properties must be a list"
    for prop in egg["properties"]:
        problems = create_problems(_with_defaults(prop, "custom_object_information"))
        if problems:
            return f"property {prop.get('name')!r}: {'; '.join(problems)}"
    return _references_problem(egg)


def _references_problem(egg: dict[str, Any]) -> str | None:
    names = {p["name"] for p in egg["properties"]}
    for key in ("requiredProperties", "searchableProperties", "secondaryDisplayProperties"):
        unknown = [r for r in egg.get(key) or [] if r not in names]
        if unknown:
            return f"{key} {unknown} are not among the schema's properties"
    primary = egg.get("primaryDisplayProperty")
    if primary and primary not in names:
        return f"primaryDisplayProperty {primary!r} is not among the schema's properties"
    if sum(1 for p in egg["properties"] if p.get("hasUniqueValue")) > MAX_UNIQUE:
        return f"an object can have at most {MAX_UNIQUE} unique properties"
    return None
