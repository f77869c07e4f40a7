"""The realistic behaviours of the HubSpot emulator, each on by default and switchable off.

A focused test switches one off by name (``HubSpotEmulator(quirks_off={"search_index_lag"})``
or ``SandboxOptions(quirks_off={"hubspot.search_index_lag"})``); everything else stays as
strict as the live API. :data:`QUIRKS` names each one with the vendor page it follows.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from types import MappingProxyType

USAGE = "https://developers.hubspot.com/docs/developer-tooling/platform/usage-guidelines"
SEARCH = "https://developers.hubspot.com/docs/api-reference/latest/crm/search-the-crm"
ERRORS = "https://developers.hubspot.com/docs/api-reference/error-handling"
CONTACTS = "https://developers.hubspot.com/docs/api-reference/legacy/crm/objects/contacts/guide"
PROPERTIES = "https://developers.hubspot.com/docs/api-reference/crm-properties-v3/guide"
IMPORTS = "https://developers.hubspot.com/docs/api-reference/legacy/crm/imports/guide"

QUIRKS: Mapping[str, str] = MappingProxyType(
    {
        "create_200": (
            "single and batch creates answer 200, not the 201 hubspot-api-client expects (its "
            f"create() then returns None): {ERRORS} ('most HubSpot endpoints will return a "
            "200 OK'); HubSpot/hubspot-api-python#448"
        ),
        "rate_limits": (
            "Professional private-app limits: 190 calls per rolling 10 s, 650,000 a day, search "
            "5 a second; X-HubSpot-RateLimit-* headers on every answer but search; 429 with "
            f"policyName: {USAGE}, https://developers.hubspot.com/changelog/increasing-our-api-limits"
        ),
        "search_index_lag": (
            "a record written at t shows in search from t + 3 s (reads by id see it at once): "
            f"{SEARCH} ('It may take a few moments for newly created or updated CRM objects')"
        ),
        "search_filter_limits": (
            "search takes at most 5 filterGroups, 6 filters per group, 18 in all, and a query "
            f"of 3,000 characters (400 VALIDATION_ERROR beyond): {SEARCH} (Limits)"
        ),
        "search_case_rules": (
            "filters on enumerations are case-sensitive; IN/NOT_IN values on string properties "
            f"must be lowercase: {SEARCH} (Filter search results)"
        ),
        "seed_bursts": (
            "the seed holds imports: runs of contacts sharing one createdate and "
            "lastmodifieddate millisecond, placed across search pages (200) and batches "
            f"(100): {IMPORTS}"
        ),
        "no_status_changed_at": (
            "contacts have no lead_status_changed_at property (a custom field portals lack); "
            f"when hs_lead_status changed is in propertiesWithHistory: {CONTACTS}"
        ),
        "batch_all_or_nothing": (
            "a batch create, update or upsert with an invalid input fails as a whole (nothing "
            "written) unless every input carries an objectWriteTraceId; then 207 names the "
            f"failed inputs: {ERRORS} (Multi-status errors)"
        ),
        "id_property_rules": (
            "contact batch updates take record ids only; idProperty must be a unique property, "
            "never hs_object_id ('Unable to perform update/upsert by non-unique ... property'): "
            f"{CONTACTS} (Update a batch of contacts)"
        ),
        "date_midnight": (
            "a date property given epoch milliseconds must be midnight UTC (400 otherwise): "
            f"{PROPERTIES} (Add values to date and datetime properties)"
        ),
    }
)


class Quirks:
    """Which of :data:`QUIRKS` are on (all, minus the ones switched off)."""

    def __init__(self, off: Collection[str] = ()) -> None:
        unknown = sorted(set(off) - set(QUIRKS))
        if unknown:
            raise ValueError(
                f"unknown HubSpot emulator quirk {unknown[0]!r}; known: {', '.join(sorted(QUIRKS))}"
            )
        self.off = frozenset(off)

    def on(self, name: str) -> bool:
        """Whether the realistic behaviour ``name`` is on."""
        if name not in QUIRKS:
            raise KeyError(f"no HubSpot emulator quirk {name!r}")
        return name not in self.off
