"""sObject fields and types as describe reports them, plus what the emulator enforces on writes.

Field names are matched case-insensitively in SOQL and writes, as Salesforce does. A reference
field has a relationship (``OwnerId`` -> ``Owner``) whose ``Name`` SOQL can select
(``SELECT Owner.Name FROM Lead``); a polymorphic one (``Owner``: User or Queue) reports the
type ``Name`` in the nested record's attributes.
https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_relationships_and_polymorph_keys.htm
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SOAP_TYPES = {
    "id": "tns:ID",
    "reference": "tns:ID",
    "boolean": "xsd:boolean",
    "double": "xsd:double",
    "int": "xsd:int",
    "datetime": "xsd:dateTime",
    "date": "xsd:date",
}
TEXT_TYPES = frozenset(
    {"id", "reference", "string", "email", "phone", "picklist", "textarea", "url", "combobox"}
)
#: key prefixes of the objects a reference field may point at
PREFIXES = {"User": "005", "Group": "00G", "Lead": "00Q", "Contact": "003", "Task": "00T"}


@dataclass(frozen=True)
class Field:
    """One sObject field (``updateable`` False: neither createable nor updateable)."""

    name: str
    type: str
    label: str
    length: int = 0
    nillable: bool = True
    updateable: bool = True
    custom: bool = False
    picklist: tuple[str, ...] = ()
    default: str | None = None
    restricted: bool = False
    reference_to: tuple[str, ...] = ()
    defaulted: bool = False  # the org fills it on create when the request leaves it out
    name_field: bool = False

    @property
    def textual(self) -> bool:
        return self.type in TEXT_TYPES

    @property
    def relationship(self) -> str | None:
        """``Owner`` for ``OwnerId``: the name SOQL walks to the referenced record."""
        return self.name[:-2] if self.type == "reference" and self.name.endswith("Id") else None

    @property
    def long_text(self) -> bool:
        """Long text areas can be neither filtered nor sorted on."""
        return self.type == "textarea" and self.length > 255

    def describe(self) -> dict[str, Any]:
        """This field's entry in ``fields[]`` of a describe result."""
        return {
            "name": self.name,
            "label": self.label,
            "type": self.type,
            "length": self.length,
            "byteLength": self.length * 3,
            "precision": 18 if self.type == "double" else 0,
            "scale": 0,
            "digits": 9 if self.type == "int" else 0,
            "nillable": self.nillable,
            "createable": self.updateable,
            "updateable": self.updateable,
            "defaultedOnCreate": self.defaulted or not self.updateable,
            "filterable": not self.long_text,
            "sortable": not self.long_text,
            "groupable": self.type not in ("double", "datetime", "textarea"),
            "custom": self.custom,
            "calculated": False,
            "unique": False,
            "externalId": False,
            "idLookup": self.type in ("id", "email"),
            "nameField": self.name_field,
            "caseSensitive": False,
            "autoNumber": False,
            "htmlFormatted": False,
            "restrictedPicklist": self.restricted,
            "dependentPicklist": False,
            "controllerName": None,
            "defaultValue": None,
            "inlineHelpText": None,
            "soapType": SOAP_TYPES.get(self.type, "xsd:string"),
            "referenceTo": list(self.reference_to),
            "relationshipName": self.relationship,
            "polymorphicForeignKey": len(self.reference_to) > 1,
            "picklistValues": [
                {
                    "active": True,
                    "defaultValue": value == self.default,
                    "label": value,
                    "validFor": None,
                    "value": value,
                }
                for value in self.picklist
            ],
        }


@dataclass(frozen=True)
class Child:
    """A child relationship: ``Tasks`` of a Lead are the Tasks whose ``WhoId`` is the lead
    (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_task.htm)."""

    name: str  # the relationship name, as a subquery's FROM names it
    sobject: str
    field: str  # the child's reference field to the parent

    def describe(self) -> dict[str, Any]:
        """This relationship's entry in ``childRelationships[]`` of a describe result."""
        return {
            "cascadeDelete": False,
            "childSObject": self.sobject,
            "deprecatedAndHidden": False,
            "field": self.field,
            "junctionIdListNames": [],
            "junctionReferenceTo": [],
            "relationshipName": self.name,
            "restrictedDelete": False,
        }


class Entity:
    """An sObject type: its name, key prefix, fields (looked up case-insensitively) and the
    child relationships a subquery can walk."""

    def __init__(
        self,
        name: str,
        key_prefix: str,
        fields: tuple[Field, ...],
        children: tuple[Child, ...] = (),
    ) -> None:
        self.name = name
        self.key_prefix = key_prefix
        self.children = {child.name.lower(): child for child in children}
        self._index(fields)

    def _index(self, fields: tuple[Field, ...]) -> None:
        self.fields = fields
        self._by_name = {field.name.lower(): field for field in fields}
        self._relations = {
            field.relationship.lower(): field for field in fields if field.relationship
        }

    def field(self, name: str) -> Field | None:
        """The field called ``name`` (any case), or None."""
        return self._by_name.get(name.lower())

    def redefine(self, field: Field) -> None:
        """Replace the field of that name (an admin changing its type in Setup), or add it."""
        kept = [f for f in self.fields if f.name.lower() != field.name.lower()]
        same = field.name.lower()
        at = next((i for i, f in enumerate(self.fields) if f.name.lower() == same), len(kept))
        self._index((*kept[:at], field, *kept[at:]))

    def relation(self, name: str) -> Field | None:
        """The reference field behind relationship ``name`` (``Owner`` -> ``OwnerId``)."""
        return self._relations.get(name.lower())

    def describe(self, version: str) -> dict[str, Any]:
        """The ``sobjects/<name>/describe`` payload."""
        base = f"/services/data/v{version}/sobjects/{self.name}"
        return {
            "name": self.name,
            "label": self.name,
            "labelPlural": f"{self.name}s",
            "keyPrefix": self.key_prefix,
            "custom": False,
            "createable": True,
            "updateable": True,
            "deletable": True,
            "undeletable": True,
            "mergeable": self.name == "Lead",
            "queryable": True,
            "retrieveable": True,
            "replicateable": True,
            "searchable": True,
            "triggerable": True,
            "activateable": False,
            "actionOverrides": [],
            "childRelationships": [child.describe() for child in self.children.values()],
            "recordTypeInfos": [],
            "fields": [field.describe() for field in self.fields],
            "urls": {
                "sobject": base,
                "describe": f"{base}/describe",
                "rowTemplate": f"{base}/{{ID}}",
            },
        }
