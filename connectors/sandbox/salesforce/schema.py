"""The emulated org's Lead schema: fields, picklists and the describe payload.

Reason fields are custom picklists sharing one value set: the catalogue's canonical labels plus
the legacy values real orgs still have active (crm-api-facts.md section 1.1). Field names are
matched case-insensitively in SOQL and writes, as Salesforce does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

NURTURE_VALUES = (
    "Bad Timing",
    "No Budget Now",
    "Unresponsive",
    "Connected - Not Interested",
    "Low Interest Score",
)
UNQUALIFIED_VALUES = (
    "Bad Contact Data",
    "Wrong Persona",
    "No Fit - Industry",
    "Out of Territory",
    "Competitor",
    "Student or Job Seeker",
    "Duplicate",
    "Existing Customer",
)
LEGACY_VALUES = ("No Interest", "Not Interested", "No Budget", "Wrong Timing", "Other", "Timing")
REASON_VALUES = NURTURE_VALUES + UNQUALIFIED_VALUES + LEGACY_VALUES

# (value, IsConverted, IsDefault) in SortOrder; see the LeadStatus object reference.
LEAD_STATUSES = (
    ("Open - Not Contacted", False, True),
    ("Working - Contacted", False, False),
    ("Nurture", False, False),
    ("Unqualified", False, False),
    ("Closed - Converted", True, False),
    ("Closed - Not Converted", False, False),
)
CONVERTED_STATUS = "Closed - Converted"
DEFAULT_STATUS = "Open - Not Contacted"
INDUSTRIES = (
    "Agriculture",
    "Apparel",
    "Banking",
    "Biotechnology",
    "Chemicals",
    "Communications",
    "Construction",
    "Consulting",
    "Education",
    "Electronics",
    "Energy",
    "Engineering",
    "Entertainment",
    "Environmental",
    "Finance",
    "Food & Beverage",
    "Government",
    "Healthcare",
    "Hospitality",
    "Insurance",
    "Machinery",
    "Manufacturing",
    "Media",
    "Not For Profit",
    "Recreation",
    "Retail",
    "Shipping",
    "Technology",
    "Telecommunications",
    "Transportation",
    "Utilities",
    "Other",
)
LEAD_SOURCES = (
    "Web",
    "Phone Inquiry",
    "Partner Referral",
    "Purchased List",
    "Webinar",
    "Trade Show",
    "Other",
)

SOAP_TYPES = {
    "id": "tns:ID",
    "reference": "tns:ID",
    "boolean": "xsd:boolean",
    "double": "xsd:double",
    "int": "xsd:int",
    "datetime": "xsd:dateTime",
    "date": "xsd:date",
}


@dataclass(frozen=True)
class Field:
    """One sObject field as describe reports it, plus what the emulator enforces on writes."""

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

    @property
    def textual(self) -> bool:
        return self.type in (
            "id",
            "reference",
            "string",
            "email",
            "phone",
            "picklist",
            "textarea",
            "url",
        )

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
            "defaultedOnCreate": self.name in ("Status", "OwnerId", "IsDeleted", "IsConverted")
            or not self.updateable,
            "filterable": self.type != "textarea" or self.length <= 255,
            "sortable": self.type != "textarea" or self.length <= 255,
            "groupable": self.type not in ("double", "datetime", "textarea"),
            "custom": self.custom,
            "calculated": False,
            "unique": False,
            "externalId": False,
            "idLookup": self.type in ("id", "email"),
            "nameField": False,
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
            "relationshipName": self.name[:-2] if self.type == "reference" else None,
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


def _reason(name: str, label: str, restricted: bool) -> Field:
    return Field(
        name, "picklist", label, 255, custom=True, picklist=REASON_VALUES, restricted=restricted
    )


def lead_fields(restricted_reasons: bool) -> tuple[Field, ...]:
    """The Lead fields of the emulated org, in describe order."""
    return (
        Field("Id", "id", "Lead ID", 18, nillable=False, updateable=False),
        Field("IsDeleted", "boolean", "Deleted", nillable=False, updateable=False),
        Field(
            "MasterRecordId",
            "reference",
            "Master Record ID",
            18,
            updateable=False,
            reference_to=("Lead",),
        ),
        Field("FirstName", "string", "First Name", 40),
        Field("LastName", "string", "Last Name", 80, nillable=False),
        Field("Title", "string", "Title", 128),
        Field("Company", "string", "Company", 255, nillable=False),
        Field("Email", "email", "Email", 80),
        Field("Phone", "phone", "Phone", 40),
        Field("Country", "string", "Country", 80),
        Field("Industry", "picklist", "Industry", 255, picklist=INDUSTRIES),
        Field("LeadSource", "picklist", "Lead Source", 255, picklist=LEAD_SOURCES),
        Field("Rating", "picklist", "Rating", 255, picklist=("Hot", "Warm", "Cold")),
        Field(
            "Status",
            "picklist",
            "Status",
            255,
            nillable=False,
            picklist=tuple(status for status, _, _ in LEAD_STATUSES),
            default=DEFAULT_STATUS,
        ),
        Field("Description", "textarea", "Description", 32000),
        Field(
            "OwnerId", "reference", "Owner ID", 18, nillable=False, reference_to=("Group", "User")
        ),
        Field("IsConverted", "boolean", "Converted", nillable=False, updateable=False),
        Field("ConvertedDate", "date", "Converted Date", updateable=False),
        Field(
            "ConvertedContactId",
            "reference",
            "Converted Contact ID",
            18,
            updateable=False,
            reference_to=("Contact",),
        ),
        Field("CreatedDate", "datetime", "Created Date", nillable=False, updateable=False),
        Field(
            "LastModifiedDate", "datetime", "Last Modified Date", nillable=False, updateable=False
        ),
        Field("SystemModstamp", "datetime", "System Modstamp", nillable=False, updateable=False),
        _reason("Nurture_Reason__c", "Nurture Reason", restricted_reasons),
        _reason("Unqualified_Reason__c", "Unqualified Reason", restricted_reasons),
        Field("Reason_Detail__c", "textarea", "Reason Detail", 1000, custom=True),
        Field("Lead_Score__c", "double", "Lead Score", custom=True),
        Field("Wants_Call__c", "boolean", "Wants Call", nillable=False, custom=True),
        Field("Status_Changed_At__c", "datetime", "Status Changed At", custom=True),
        Field("Campaign__c", "string", "Campaign", 255, custom=True),
        Field("Leadloop_Review__c", "string", "Leadloop Review", 255, custom=True),
    )


LEAD_STATUS_FIELDS = (
    Field("Id", "id", "Lead Status ID", 18, nillable=False, updateable=False),
    Field("ApiName", "string", "Api Name", 255, nillable=False, updateable=False),
    Field("MasterLabel", "string", "Master Label", 255, nillable=False, updateable=False),
    Field("IsConverted", "boolean", "Converted", nillable=False, updateable=False),
    Field("IsDefault", "boolean", "Default", nillable=False, updateable=False),
    Field("SortOrder", "int", "Sort Order", updateable=False),
)


class Entity:
    """An sObject type: its name, key prefix and fields (looked up case-insensitively)."""

    def __init__(self, name: str, key_prefix: str, fields: tuple[Field, ...]) -> None:
        self.name = name
        self.key_prefix = key_prefix
        self.fields = fields
        self._by_name = {field.name.lower(): field for field in fields}

    def field(self, name: str) -> Field | None:
        """The field called ``name`` (any case), or None."""
        return self._by_name.get(name.lower())

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
            "mergeable": True,
            "queryable": True,
            "retrieveable": True,
            "replicateable": True,
            "searchable": True,
            "triggerable": True,
            "activateable": False,
            "actionOverrides": [],
            "childRelationships": [],
            "recordTypeInfos": [],
            "fields": [field.describe() for field in self.fields],
            "urls": {
                "sobject": base,
                "describe": f"{base}/describe",
                "rowTemplate": f"{base}/{{ID}}",
            },
        }
