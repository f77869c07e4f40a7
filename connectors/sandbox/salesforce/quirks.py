"""The realistic behaviours of the emulated org that are stricter than a naive emulator.

Every one is ON by default; a focused test switches single ones off by name
(``SalesforceEmulator(quirks_off={"whole_second_stamps"})``, or ``"salesforce.NAME"`` in
``SandboxOptions.quirks_off``). Each description names the vendor page it follows.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from types import MappingProxyType

QUIRKS: Mapping[str, str] = MappingProxyType(
    {
        "whole_second_stamps": (
            "CreatedDate, LastModifiedDate and SystemModstamp have whole-second precision: "
            "writes in one second share one stamp, and SOQL compares datetimes to the second "
            "(https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/system_fields.htm, "
            "https://salesforce.stackexchange.com/questions/234824)"
        ),
        "same_second_bursts": (
            "seeded leads come in imports of many leads sharing one CreatedDate/SystemModstamp "
            "second, placed across REST query pages (2,000), Collections batches (200) and Bulk "
            "result pages "
            "(https://developer.salesforce.com/docs/platform/api-rest/guide/resources-query.html)"
        ),
        "no_status_changed_field": (
            "Lead has no Status_Changed_At__c (a custom field most orgs lack): naming it in a "
            "query or a write answers 400 INVALID_FIELD "
            "(https://developer.salesforce.com/docs/platform/field-reference/references/"
            "field-reference/salesforce-field-reference-lead.html)"
        ),
        "reason_required_rule": (
            "validation rule: a write that leaves an Unqualified lead without "
            "Unqualified_Reason__c fails with FIELD_CUSTOM_VALIDATION_EXCEPTION "
            "(https://developer.salesforce.com/docs/platform/api-rest/guide/errorcodes.html)"
        ),
        "if_unmodified_since": (
            "a single-record PATCH with If-Unmodified-Since answers 412 when the record's "
            "LastModifiedDate is later, 400 when the date is not an HTTP date "
            "(https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/"
            "intro_rest_conditional_requests.htm)"
        ),
        "replication_window": (
            "getDeleted refuses a start more than 15 days back, getUpdated more than 30 days, "
            "and both a window of one minute or less, with 400 INVALID_REPLICATION_DATE "
            "(https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api/"
            "resources_getdeleted.htm)"
        ),
        "session_timeout": (
            "a session expires 2 hours after its last counted activity (the org's default; a "
            "call counts only in the second half of that time): the next call answers 401 "
            "INVALID_SESSION_ID; the SOAP "
            "login answer says how long in userInfo.sessionSecondsValid "
            "(https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/"
            "sforce_api_concepts_errorhandling.htm, https://developer.salesforce.com/docs/"
            "atlas.en-us.api.meta/api/sforce_api_calls_getuserinfo_getuserinforesult.htm)"
        ),
        "uri_length_limit": (
            "a request URI longer than 16,384 bytes answers 414 URI Too Long "
            "(https://help.salesforce.com/s/articleView?id=000386264&type=1)"
        ),
    }
)


class Quirks:
    """Which of :data:`QUIRKS` are on for one emulator (all but the ones switched off)."""

    def __init__(self, off: Collection[str] = ()) -> None:
        if isinstance(off, str):
            raise TypeError("quirks_off takes a collection of quirk names, not one string")
        unknown = sorted(set(off) - set(QUIRKS))
        if unknown:
            raise ValueError(
                f"unknown Salesforce emulator quirk(s) {', '.join(map(repr, unknown))}; "
                f"known: {', '.join(sorted(QUIRKS))}"
            )
        self.off = frozenset(off)

    def on(self, name: str) -> bool:
        """Whether quirk ``name`` is on (KeyError for a name that is not a quirk)."""
        if name not in QUIRKS:
            raise KeyError(f"no Salesforce emulator quirk {name!r}")
        return name not in self.off
