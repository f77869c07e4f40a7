"""The seeded contact property definitions: HubSpot defaults plus the portal's custom fields.

Defaults follow a real portal (hs_lead_status and lifecyclestage options from recorded
property definitions, see crm-api-facts.md 2.1). The custom reason enumerations carry every
catalogue code as an internal value plus the legacy values reps used before the catalogue, and
``nurture_reason`` deliberately lacks ``low_interest_score`` so a connector has to create the
missing option before writing it.
"""

from __future__ import annotations

from typing import Any

from connectors.sandbox.hubspot.properties import PropertyDef, PropertyRegistry

LEAD_STATUSES = (
    "NEW",
    "OPEN",
    "IN_PROGRESS",
    "OPEN_DEAL",
    "UNQUALIFIED",
    "ATTEMPTED_TO_CONTACT",
    "CONNECTED",
    "BAD_TIMING",
)
LIFECYCLE_STAGES = (
    "subscriber",
    "lead",
    "marketingqualifiedlead",
    "salesqualifiedlead",
    "opportunity",
    "customer",
    "evangelist",
    "other",
)
ANALYTICS_SOURCES = (
    "ORGANIC_SEARCH",
    "PAID_SEARCH",
    "EMAIL_MARKETING",
    "SOCIAL_MEDIA",
    "REFERRALS",
    "OTHER_CAMPAIGNS",
    "DIRECT_TRAFFIC",
    "OFFLINE",
    "PAID_SOCIAL",
)
#: hubspot_owner_id options: owner id -> name (HubSpot lists the portal's users as options)
OWNERS = {"61000001": "Avery Owner", "61000002": "Blake Owner", "61000003": "Casey Owner"}
#: owner id -> the user id behind it (an owner and its user have different ids in HubSpot)
OWNER_USERS = {"61000001": 9100001, "61000002": 9100002, "61000003": 9100003}
ADMIN_USER = 9100000
CATALOGUE_CODES = (
    "bad_timing",
    "no_budget_now",
    "unresponsive",
    "connected_not_interested",
    "low_interest_score",
    "bad_contact_data",
    "wrong_persona",
    "no_fit_industry",
    "out_of_territory",
    "competitor",
    "student_or_job_seeker",
    "duplicate",
    "existing_customer",
)
LEGACY_REASONS = ("no_interest", "not_interested", "no_budget", "timing", "other")
#: left out of nurture_reason's options on purpose (the connector's "create option" path)
MISSING_NURTURE_OPTION = "low_interest_score"

GROUPS = [
    {
        "name": "contactinformation",
        "label": "Contact information",
        "displayOrder": 0,
        "archived": False,
    },
    {"name": "sales_properties", "label": "Sales properties", "displayOrder": 1, "archived": False},
    {
        "name": "analyticsinformation",
        "label": "Web analytics history",
        "displayOrder": 2,
        "archived": False,
    },
    {"name": "leadloop", "label": "leadloop", "displayOrder": 3, "archived": False},
]


def _label(value: str) -> str:
    return value.replace("_", " ").capitalize()


def options(
    values: tuple[str, ...] | list[str], labels: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """Enumeration options for ``values`` (labels derived from the value unless given)."""
    labels = labels or {}
    return [
        {
            "label": labels.get(v, _label(v)),
            "value": v,
            "displayOrder": i,
            "hidden": False,
            "description": "",
        }
        for i, v in enumerate(values)
    ]


def _text(name: str, label: str, **kw: Any) -> PropertyDef:
    return PropertyDef(name, label, hubspot_defined=True, **kw)


def _enum(name: str, label: str, values: tuple[str, ...] | list[str], **kw: Any) -> PropertyDef:
    return PropertyDef(
        name,
        label,
        type="enumeration",
        field_type=kw.pop("field_type", "select"),
        options=options(values),
        **kw,
    )


def _stamp(name: str, label: str, read_only: bool) -> PropertyDef:
    return PropertyDef(
        name,
        label,
        type="datetime",
        field_type="date",
        read_only=read_only,
        hubspot_defined=True,
        group_name="contactinformation",
    )


def reason_values(nurture: bool) -> list[str]:
    """The options of nurture_reason (``nurture``) or unqualified_reason."""
    codes = [c for c in CATALOGUE_CODES if not (nurture and c == MISSING_NURTURE_OPTION)]
    return codes + list(LEGACY_REASONS)


def contact_properties(*, status_changed_at: bool = False) -> PropertyRegistry:
    """A fresh registry of the seeded contact properties; ``status_changed_at`` adds the
    custom ``lead_status_changed_at`` datetime (quirk ``no_status_changed_at`` off)."""
    sales: dict[str, Any] = {"group_name": "sales_properties"}
    custom: dict[str, Any] = {"group_name": "leadloop"}
    defs = [
        _text("email", "Email", has_unique_value=True),
        _text("firstname", "First Name"),
        _text("lastname", "Last Name"),
        _text("phone", "Phone Number"),
        _text("company", "Company Name"),
        _text("industry", "Industry"),
        _text("country", "Country/Region"),
        _text("jobtitle", "Job Title"),
        _enum(
            "hs_lead_status",
            "Lead Status",
            LEAD_STATUSES,
            field_type="radio",
            hubspot_defined=True,
            **sales,
        ),
        _enum(
            "lifecyclestage",
            "Lifecycle Stage",
            LIFECYCLE_STAGES,
            field_type="radio",
            hubspot_defined=True,
        ),
        PropertyDef(
            "hubspot_owner_id",
            "Contact owner",
            type="enumeration",
            field_type="select",
            options=options(tuple(OWNERS), OWNERS),
            hubspot_defined=True,
            **sales,
        ),
        _stamp("hs_lifecyclestage_customer_date", "Became a Customer Date", read_only=True),
        _enum(
            "hs_analytics_source",
            "Original Source",
            ANALYTICS_SOURCES,
            read_only=True,
            calculated=True,
            hubspot_defined=True,
            group_name="analyticsinformation",
        ),
        _stamp("createdate", "Create Date", read_only=False),
        _stamp("lastmodifieddate", "Last Modified Date", read_only=True),
        _stamp("hs_lastmodifieddate", "Object last modified date/time", read_only=True),
        PropertyDef(
            "hs_object_id",
            "Record ID",
            type="number",
            field_type="number",
            read_only=True,
            hubspot_defined=True,
        ),
        # an enumeration of ids in HubSpot; a ";"-joined string here (no option list to keep)
        PropertyDef(
            "hs_merged_object_ids", "Merged Contact IDs", read_only=True, hubspot_defined=True
        ),
        PropertyDef(
            "hubspotscore",
            "HubSpot Score",
            type="number",
            field_type="number",
            hubspot_defined=True,
            **sales,
        ),
        _enum("nurture_reason", "Nurture Reason", reason_values(nurture=True), **custom),
        _enum("unqualified_reason", "Unqualified Reason", reason_values(nurture=False), **custom),
        PropertyDef("reason_detail", "Reason Detail", field_type="textarea", **custom),
        PropertyDef("campaign", "Campaign", **custom),
        PropertyDef(
            "wants_call",
            "Wants a Call",
            type="bool",
            field_type="booleancheckbox",
            options=options(["true", "false"], {"true": "Yes", "false": "No"}),
            **custom,
        ),
        PropertyDef("leadloop_review", "leadloop Review", field_type="textarea", **custom),
    ]
    if status_changed_at:
        defs.append(
            PropertyDef(
                "lead_status_changed_at",
                "Lead Status Changed At",
                type="datetime",
                field_type="date",
                **custom,
            )
        )
    for order, definition in enumerate(defs):
        definition.display_order = order
    return PropertyRegistry("CONTACT", defs, [dict(g) for g in GROUPS])


def custom_object_properties(
    label: str, props: list[PropertyDef], group: str = "custom_object_information"
) -> PropertyRegistry:
    """A registry for a custom object: its own properties plus HubSpot's system ones."""
    system = [
        PropertyDef(
            "hs_object_id",
            "Record ID",
            type="number",
            field_type="number",
            read_only=True,
            hubspot_defined=True,
        ),
        PropertyDef(
            "hs_createdate",
            "Object create date/time",
            type="datetime",
            field_type="date",
            read_only=True,
            hubspot_defined=True,
        ),
        PropertyDef(
            "hs_lastmodifieddate",
            "Object last modified date/time",
            type="datetime",
            field_type="date",
            read_only=True,
            hubspot_defined=True,
        ),
    ]
    groups = [{"name": group, "label": "Information", "displayOrder": 0, "archived": False}]
    for definition in system:
        definition.group_name = group
    return PropertyRegistry(label, system + props, groups)
