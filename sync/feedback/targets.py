"""What lands in HubSpot: the properties of both targets and the payload of each record.

Custom object (one record per period x source x lead source x campaign x reason): the key
``leadloop_key`` is ``<kind>:<period start>:<digest of source, lead source, campaign,
reason>``, unique and stable, so a replayed upsert updates the same record. Contacts: their
sales status, the disqualification reason (catalogue code as the option value, its label
shown) and the local day of disqualification. Values are strings, as HubSpot takes them;
numbers have fixed decimals, so an unchanged aggregate hashes the same.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping

from connectors.hubspot.marketing import PropertySpec
from sync.domain import Status
from sync.store.aggregates import ReasonRow

KEY = "leadloop_key"
CUSTOM_OBJECT, CONTACT_PROPERTIES = "custom_object", "contact_properties"
SALES_STATUS = "leadloop_sales_status"
REASON = "leadloop_disqualification_reason"
DISQUALIFIED_ON = "leadloop_disqualified_on"
PERIOD_KINDS = (("day", "Day"), ("week", "Week"), ("month", "Month"))


def _text(name: str, label: str, **kw: object) -> PropertySpec:
    return PropertySpec(name, label, "string", "text", **kw)  # type: ignore[arg-type]


def _number(name: str, label: str) -> PropertySpec:
    return PropertySpec(name, label, "number", "number")


OBJECT_PROPERTIES = (
    _text(KEY, "Feedback key", unique=True, description="period/source/campaign/reason"),
    PropertySpec("period_kind", "Period kind", "enumeration", "select", options=PERIOD_KINDS),
    PropertySpec("period_start", "Period start", "date", "date"),
    _text("period", "Period"),
    _text("source_system", "Source system"),
    _text("lead_source", "Lead source"),
    _text("campaign", "Campaign"),
    _text("reason", "Reason code"),
    _text("reason_label", "Reason"),
    _number("leads", "Disqualified leads with this reason"),
    _number("group_disqualified", "Disqualified leads in the group"),
    _number("share", "Share of the group's disqualified leads"),
    _number("nurture", "Nurture"),
    _number("unqualified", "Unqualified"),
    _number("valid_contact_share", "Share with a valid email or phone"),
    _number("email_valid_share", "Share with a valid email"),
    _number("phone_valid_share", "Share with a valid phone"),
)
#: what a record that no longer has leads is set to (its period and group stay as they were)
ZERO = {name: "0" for name in ("leads", "group_disqualified", "nurture", "unqualified")} | {
    name: "0.0000"
    for name in ("share", "valid_contact_share", "email_valid_share", "phone_valid_share")
}


def contact_properties(labels: Mapping[str, str]) -> tuple[PropertySpec, ...]:
    """The contact properties; the reason's options are the catalogue's codes and labels."""
    statuses = tuple((s.value, s.value.capitalize()) for s in Status)
    reasons = tuple(sorted(labels.items()))
    return (
        PropertySpec(SALES_STATUS, "Sales status", "enumeration", "select", statuses),
        PropertySpec(
            REASON, "Disqualification reason (leadloop)", "enumeration", "select", reasons
        ),
        PropertySpec(DISQUALIFIED_ON, "Disqualified on", "date", "date"),
    )


def digest(values: object) -> str:
    return hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()


def record_key(kind: str, row: ReasonRow) -> str:
    group = digest([row.source, row.lead_source, row.campaign, row.reason])[:24]
    return f"{kind}:{row.period}:{group}"


def _share(value: float) -> str:
    return f"{value:.4f}"


def record(kind: str, label: str, row: ReasonRow, reason_label: str) -> dict[str, str]:
    """The custom object record of one reason row (``label``: the period for people)."""
    return {
        "period_kind": kind, "period_start": row.period, "period": label,
        "source_system": row.source, "lead_source": row.lead_source, "campaign": row.campaign,
        "reason": row.reason, "reason_label": reason_label, "leads": str(row.leads),
        "group_disqualified": str(row.disqualified), "share": _share(row.share),
        "nurture": str(row.nurture), "unqualified": str(row.unqualified),
        "valid_contact_share": _share(row.valid_contact_share),
        "email_valid_share": _share(row.email_valid_share),
        "phone_valid_share": _share(row.phone_valid_share),
    }  # fmt: skip


def payload_hash(properties: Mapping[str, str | None]) -> str:
    """What :mod:`sync.store.feedback` remembers of a pushed payload; values as HubSpot
    returns them (None and "" alike; a date cut to its day) hash the same."""
    return digest({name: _plain(value) for name, value in properties.items()})[:32]


def _plain(value: str | None) -> str:
    text = value or ""
    return text[:10] if len(text) > 10 and text[4:5] == "-" and text[10:11] == "T" else text
