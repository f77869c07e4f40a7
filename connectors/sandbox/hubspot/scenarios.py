"""THE table from a seed scenario (connectors.sandbox.seed.SCENARIOS) to HubSpot contact values.

Each scenario says how the contact looks in a HubSpot portal: ``hs_lead_status``,
``lifecyclestage``, the reason enumerations (a tuple is rotated by person index, so a seeded
population uses every value), an optional detail text and the record's fate (live, archived,
merged into the contact seeded just before it). Reason values are option internal values:
catalogue codes, or legacy values where the scenario is about legacy data.

Reason statuses follow the shipped catalogue (mappings/catalogue.yaml): nurture = bad_timing,
no_budget_now, unresponsive, connected_not_interested, low_interest_score; unqualified = the
other codes. Legacy values follow its ``legacy.hubspot`` table: ``timing`` and ``no_budget``
map to one code, ``no_interest`` and ``not_interested`` to two (ambiguous).
"""

from __future__ import annotations

from dataclasses import dataclass

from connectors.sandbox.seed import Person


@dataclass(frozen=True)
class Look:
    lead_status: str | tuple[str, ...]  # a tuple is rotated by person index
    lifecycle: str
    nurture: tuple[str, ...] = ()
    unqualified: tuple[str, ...] = ()
    detail: str = ""
    fate: str = "live"  # live | archived | merged


WORKING = ("IN_PROGRESS", "ATTEMPTED_TO_CONTACT", "CONNECTED")

SCENARIO_TABLE: dict[str, Look] = {
    "new_clean": Look("NEW", "lead"),
    "working_clean": Look(WORKING, "salesqualifiedlead"),
    "lingering_unqualified_reason": Look(
        "IN_PROGRESS", "salesqualifiedlead", unqualified=("no_fit_industry", "wrong_persona")
    ),
    "lingering_nurture_reason": Look(
        "CONNECTED", "salesqualifiedlead", nurture=("bad_timing", "no_budget_now")
    ),
    "nurture_to_unqualified": Look(
        "UNQUALIFIED",
        "other",
        nurture=("no_budget_now",),
        unqualified=("wrong_persona", "competitor"),
    ),
    "nurture_ok": Look(
        "BAD_TIMING", "lead", nurture=("bad_timing", "no_budget_now", "connected_not_interested")
    ),
    "unqualified_ok": Look(
        "UNQUALIFIED",
        "other",
        unqualified=(
            "wrong_persona",
            "no_fit_industry",
            "out_of_territory",
            "competitor",
            "student_or_job_seeker",
            "duplicate",
            "existing_customer",
        ),
    ),
    "missing_reason": Look(("UNQUALIFIED", "BAD_TIMING"), "other"),
    "legacy_reason": Look("BAD_TIMING", "lead", nurture=("timing", "no_budget")),
    "ambiguous_reason": Look("BAD_TIMING", "lead", nurture=("no_interest", "not_interested")),
    "reason_wrong_field": Look("UNQUALIFIED", "other", unqualified=("bad_timing",)),
    "unresponsive_valid_contact": Look("BAD_TIMING", "lead", nurture=("unresponsive",)),
    "unresponsive_invalid_contact": Look("BAD_TIMING", "lead", nurture=("unresponsive",)),
    "low_score_new": Look("NEW", "lead"),
    "wants_call_disqualified": Look("BAD_TIMING", "lead", nurture=("connected_not_interested",)),
    "converted": Look("OPEN_DEAL", "customer"),
    "deleted": Look("ATTEMPTED_TO_CONTACT", "lead", fate="archived"),
    "merged": Look("IN_PROGRESS", "lead", fate="merged"),
    "broken_record": Look("IN_PROGRESS", "lead", detail="\U0001f525" * 8 + "x" * 65_000),
}

#: Seed lead source -> hs_analytics_source (HubSpot's "Original Source" options).
ANALYTICS_SOURCE = {
    "Web": "DIRECT_TRAFFIC",
    "Webinar": "OTHER_CAMPAIGNS",
    "Partner Referral": "REFERRALS",
    "Purchased List": "OFFLINE",
    "Trade Show": "OFFLINE",
    "Other": "OTHER_CAMPAIGNS",
}


def _pick(values: tuple[str, ...], index: int) -> str | None:
    return values[index % len(values)] if values else None


def hubspot_values(person: Person) -> dict[str, str]:
    """The status and reason properties a person's scenario gives its HubSpot contact."""
    look = SCENARIO_TABLE[person.scenario]
    statuses = (look.lead_status,) if isinstance(look.lead_status, str) else look.lead_status
    values = {
        "hs_lead_status": statuses[person.index % len(statuses)],
        "lifecyclestage": look.lifecycle,
    }
    nurture, unqualified = _pick(look.nurture, person.index), _pick(look.unqualified, person.index)
    if nurture:
        values["nurture_reason"] = nurture
    if unqualified:
        values["unqualified_reason"] = unqualified
    if look.detail:
        values["reason_detail"] = look.detail
    return values


def fate(scenario: str) -> str:
    """live, archived or merged."""
    return SCENARIO_TABLE[scenario].fate
