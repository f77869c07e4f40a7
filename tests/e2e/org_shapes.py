"""Orgs and portals whose fields differ from the seeded defaults, as an admin would set them up
in Setup or the property settings (no API call: the emulators' own schema changes)."""

from __future__ import annotations

from typing import Any

from connectors.sandbox.hubspot import HubSpotEmulator
from connectors.sandbox.hubspot.defaults import options
from connectors.sandbox.hubspot.properties import PropertyDef
from connectors.sandbox.salesforce import SalesforceEmulator
from connectors.sandbox.salesforce.fields import Field

SF_FLAG, HS_FLAG = "Leadloop_Review__c", "leadloop_review"


def checkbox_flags(salesforce: SalesforceEmulator, hubspot: HubSpotEmulator) -> None:
    """The review flag is a checkbox in the org and a single checkbox in the portal."""
    salesforce.redefine_lead_field(
        Field(SF_FLAG, "boolean", "Leadloop Review", nillable=False, custom=True)
    )
    yes_no = options(["true", "false"], {"true": "Yes", "false": "No"})
    hubspot.contacts.registry.add(
        PropertyDef(
            HS_FLAG, "leadloop Review", "bool", "booleancheckbox", "leadloop", options=yes_no
        )
    )


def salesforce_field(salesforce: SalesforceEmulator, name: str, kind: str, **extra: Any) -> None:
    """The org's Lead field ``name`` is of describe type ``kind`` (date, picklist, ...)."""
    salesforce.redefine_lead_field(
        Field(name, kind, name.removesuffix("__c"), custom=True, **extra)
    )
