"""Builders of raw CRM records as the connectors hand them over."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from connectors.base import SourceRecord

MODSTAMP = datetime(2026, 3, 1, 8, 30, tzinfo=UTC)


def salesforce_lead(**fields: Any) -> SourceRecord:
    """A clean Salesforce nurture lead; ``fields`` override API fields."""
    raw: dict[str, Any] = {
        "Id": "00Q000000000001AAA",
        "SystemModstamp": "2026-03-01T08:30:00.000+0000",
        "IsDeleted": False,
        "MasterRecordId": None,
        "IsConverted": False,
        "Status": "Nurture",
        "Nurture_Reason__c": "Bad Timing",
        "Unqualified_Reason__c": None,
        "Reason_Detail__c": None,
        "Email": " Ada.Lovelace@Example.com ",
        "Phone": "(415) 555-0123",
        "Company": "Acme Analytics",
        "Industry": "Technology",
        "Country": "US",
        "Title": "CTO",
        "LeadSource": "Webinar",
        "Campaign__c": "Spring Trade Show",
        "Lead_Score__c": 42.0,
        "Wants_Call__c": False,
        "OwnerId": "005000000000001AAA",
        "CreatedDate": "2026-01-05T09:00:00.000+0000",
        "Status_Changed_At__c": "2026-02-01T10:00:00.000+0000",
        "ConvertedDate": None,
        "Leadloop_Review__c": None,
    }
    raw.update(fields)
    return SourceRecord(str(raw["Id"]), MODSTAMP, raw)


def hubspot_contact(**properties: Any) -> SourceRecord:
    """A clean HubSpot contact (every property a string, as the API sends them)."""
    raw: dict[str, Any] = {
        "hs_object_id": "713492963559",
        "lastmodifieddate": "2026-03-01T08:30:00.000Z",
        "hs_lead_status": "UNQUALIFIED",
        "unqualified_reason": "wrong_persona",
        "nurture_reason": None,
        "email": "ben.brown@borealis.example.com",
        "phone": "+44 20 7946 0123",
        "company": "Borealis Freight",
        "country": "United Kingdom",
        "jobtitle": "Office Manager",
        "hs_analytics_source": "PAID_SEARCH",
        "hubspotscore": "17",
        "wants_call": "true",
        "createdate": "1767603600000",
        "lead_status_changed_at": "2026-02-25T16:23:49.023Z",
        "leadloop_review": "",
    }
    raw.update(properties)
    return SourceRecord(str(raw["hs_object_id"]), MODSTAMP, raw)
