"""The emulated org's objects: Lead, LeadStatus and Task fields, picklists and users.

Reason fields are custom picklists sharing one value set: the catalogue's canonical labels plus
the legacy values real orgs still have active. Standard fields follow the field reference
(lengths, types): https://developer.salesforce.com/docs/platform/field-reference/references/field-reference/salesforce-field-reference-lead.html
and https://developer.salesforce.com/docs/atlas.en-us.196.0.sfFieldRef.meta/sfFieldRef/salesforce_field_reference_Task.htm
"""

from __future__ import annotations

from connectors.sandbox.salesforce.auth import USER_ID
from connectors.sandbox.salesforce.fields import Field
from connectors.sandbox.salesforce.values import make_id

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

#: who records in the org belong to and who last changed them (``LastModifiedById``)
REP_USER = make_id("005", 2)  # a sales rep editing leads in the UI
AUTOMATION_USER = make_id("005", 5)  # the marketing-automation sync user that imports leads
QUEUE = make_id("00G", 1)
USERS = {
    USER_ID: "Leadloop Integration",
    REP_USER: "Priya Patel",
    make_id("005", 3): "Mateo Rossi",
    make_id("005", 4): "Hana Ito",
    AUTOMATION_USER: "Marketing Automation",
    QUEUE: "Inbound Leads Queue",
}
SALUTATIONS = ("Mr.", "Ms.", "Mrs.", "Dr.", "Prof.")
STATUS_CHANGED_FIELD = "Status_Changed_At__c"


def _reason(name: str, label: str, restricted: bool) -> Field:
    return Field(
        name, "picklist", label, 255, custom=True, picklist=REASON_VALUES, restricted=restricted
    )


def _picklist(
    name: str,
    label: str,
    values: tuple[str, ...],
    default: str | None = None,
) -> Field:
    """A standard picklist (length 40); with a default it is required and defaulted on create."""
    required = default is not None
    return Field(
        name,
        "picklist",
        label,
        40,
        nillable=not required,
        picklist=values,
        default=default,
        defaulted=required,
    )


def _system_fields(label: str) -> tuple[Field, ...]:
    """Id and IsDeleted, which every object has (read-only)."""
    return (
        Field("Id", "id", f"{label} ID", 18, nillable=False, updateable=False),
        Field("IsDeleted", "boolean", "Deleted", nillable=False, updateable=False),
    )


def _read_only(name: str, kind: str, label: str, length: int = 0) -> Field:
    to = ("User",) if kind == "reference" else ()
    return Field(name, kind, label, length, nillable=False, updateable=False, reference_to=to)


def _audit_fields() -> tuple[Field, ...]:
    """The audit fields every object has (read-only, set by the org on each save)."""
    return (
        _read_only("CreatedDate", "datetime", "Created Date"),
        _read_only("CreatedById", "reference", "Created By ID", 18),
        _read_only("LastModifiedDate", "datetime", "Last Modified Date"),
        _read_only("LastModifiedById", "reference", "Last Modified By ID", 18),
        _read_only("SystemModstamp", "datetime", "System Modstamp"),
    )


def _owner(label: str, owners: tuple[str, ...] = ("Group", "User")) -> Field:
    return Field(
        "OwnerId",
        "reference",
        label,
        18,
        nillable=False,
        reference_to=owners,
        defaulted=True,
    )


def lead_fields(restricted_reasons: bool, status_changed_field: bool) -> tuple[Field, ...]:
    """The Lead fields of the emulated org, in describe order."""
    fields = (
        *_system_fields("Lead"),
        Field(
            "MasterRecordId",
            "reference",
            "Master Record ID",
            18,
            updateable=False,
            reference_to=("Lead",),
        ),
        Field("LastName", "string", "Last Name", 80, nillable=False),
        Field("FirstName", "string", "First Name", 40),
        _picklist("Salutation", "Salutation", SALUTATIONS),
        Field(
            "Name", "string", "Full Name", 121, nillable=False, updateable=False, name_field=True
        ),
        Field("Title", "string", "Title", 128),
        Field("Company", "string", "Company", 255, nillable=False),
        Field("Country", "string", "Country", 80),
        Field("Phone", "phone", "Phone", 40),
        Field("Email", "email", "Email", 80),
        Field("Website", "url", "Website", 255),
        Field("Description", "textarea", "Description", 32000),
        _picklist("LeadSource", "Lead Source", LEAD_SOURCES),
        _picklist("Status", "Status", tuple(s for s, _, _ in LEAD_STATUSES), DEFAULT_STATUS),
        _picklist("Industry", "Industry", INDUSTRIES),
        _picklist("Rating", "Rating", ("Hot", "Warm", "Cold")),
        _owner("Owner ID"),
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
        *_audit_fields(),
        _reason("Nurture_Reason__c", "Nurture Reason", restricted_reasons),
        _reason("Unqualified_Reason__c", "Unqualified Reason", restricted_reasons),
        Field("Reason_Detail__c", "textarea", "Reason Detail", 1000, custom=True),
        Field("Lead_Score__c", "double", "Lead Score", custom=True),
        Field("Wants_Call__c", "boolean", "Wants Call", nillable=False, custom=True),
        Field(STATUS_CHANGED_FIELD, "datetime", "Status Changed At", custom=True),
        Field("Campaign__c", "string", "Campaign", 255, custom=True),
        Field("Leadloop_Review__c", "string", "Leadloop Review", 255, custom=True),
    )
    return tuple(f for f in fields if status_changed_field or f.name != STATUS_CHANGED_FIELD)


# (value, IsClosed, IsDefault) in SortOrder; see the TaskStatus object reference:
# https://developer.salesforce.com/docs/atlas.en-us.256.0.object_reference.meta/object_reference/sforce_api_objects_taskstatus.htm
TASK_STATUSES = (
    ("Not Started", False, True),
    ("In Progress", False, False),
    ("Completed", True, False),
    ("Waiting on someone else", False, False),
    ("Deferred", False, False),
)
CLOSED_TASK_STATUSES = frozenset(value for value, closed, _ in TASK_STATUSES if closed)
TASK_PRIORITIES = ("High", "Normal", "Low")


def task_fields() -> tuple[Field, ...]:
    """The Task fields the emulator serves, in describe order (a subset of the real ones)."""
    return (
        *_system_fields("Activity"),
        Field("WhoId", "reference", "Name ID", 18, reference_to=("Contact", "Lead")),
        Field("Subject", "combobox", "Subject", 255),
        Field("ActivityDate", "date", "Due Date Only"),
        _picklist("Status", "Status", tuple(s for s, _, _ in TASK_STATUSES), "Not Started"),
        _picklist("Priority", "Priority", TASK_PRIORITIES, "Normal"),
        # a queue cannot own a task: "Assigned To: id value of incorrect type: 00G..."
        # (https://github.com/salesforcelabs/actionplansv4/issues/51)
        _owner("Assigned To ID", ("User",)),
        Field("Description", "textarea", "Description", 32000),
        Field("IsClosed", "boolean", "Closed", nillable=False, updateable=False),
        *_audit_fields(),
    )


LEAD_STATUS_FIELDS = (
    Field("Id", "id", "Lead Status ID", 18, nillable=False, updateable=False),
    Field("ApiName", "string", "Api Name", 255, nillable=False, updateable=False),
    Field("MasterLabel", "string", "Master Label", 255, nillable=False, updateable=False),
    Field("IsConverted", "boolean", "Converted", nillable=False, updateable=False),
    Field("IsDefault", "boolean", "Default", nillable=False, updateable=False),
    Field("SortOrder", "int", "Sort Order", updateable=False),
)
