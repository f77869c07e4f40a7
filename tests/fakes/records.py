"""Salesforce-shaped Lead values for the fake CRM: a builder and a varied seed."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from mappings.loader import load_catalogue
from tests.fakes.crm import FakeCrm, wire

REASON_FIELDS = ("Nurture_Reason__c", "Unqualified_Reason__c")


def reason_options() -> dict[str, frozenset[str]]:
    """The restricted reason picklists: every Salesforce value of the default catalogue."""
    values = frozenset(
        reason.values["salesforce"]
        for reason in load_catalogue().reasons.values()
        if "salesforce" in reason.values
    )
    return {name: values for name in REASON_FIELDS}


def lead_values(
    status: str = "Working - Contacted",
    *,
    created: datetime | None = None,
    status_changed: datetime | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """A live Lead's fields: ``status`` and a contactable person; ``fields`` override by API
    name (``Nurture_Reason__c="Bad Timing"``). Datetimes are written in the wire format."""
    values: dict[str, Any] = {
        "Status": status,
        "Nurture_Reason__c": None,
        "Unqualified_Reason__c": None,
        "Reason_Detail__c": None,
        "Email": "ada@example.com",
        "Company": "Example Ltd",
        "LeadSource": "Web",
        "Lead_Score__c": 50.0,
        "Wants_Call__c": False,
        "IsConverted": False,
        "Leadloop_Review__c": None,
        "CreatedDate": wire(created) if created else None,
        "Status_Changed_At__c": wire(status_changed) if status_changed else None,
    }
    values.update(fields)
    return values


_STATUSES = (
    ("Open - Not Contacted", None, None),
    ("Working - Contacted", None, None),
    ("Nurture", "Bad Timing", None),
    ("Nurture", "No Budget", None),  # a legacy value
    ("Unqualified", None, "Competitor"),
    ("Working - Contacted", None, "Competitor"),  # a lingering reason
)


def seed(crm: FakeCrm, count: int, before: datetime, seed: int = 42) -> list[str]:
    """``count`` varied leads stamped over the 30 days before ``before``;
    one in twenty deleted, one in forty merged into its predecessor. Returns their ids."""
    rng = random.Random(seed)
    ids = []
    for n in range(count):
        status, nurture, unqualified = _STATUSES[n % len(_STATUSES)]
        stamp = before - timedelta(minutes=rng.randrange(30 * 24 * 60))
        values = lead_values(
            status,
            created=stamp - timedelta(days=3),
            Nurture_Reason__c=nurture,
            Unqualified_Reason__c=unqualified,
            Email=f"lead{n}@example.com",
        )
        ids.append(crm.add(values, modstamp=stamp))
    for n, record_id in enumerate(ids):
        if n % 40 == 39:
            crm.merge(record_id, ids[n - 1])
        elif n % 20 == 19:
            crm.delete(record_id)
    return ids
