"""Broken configs: YAML syntax, unknown keys, wrong types and values, secrets, cross-references."""

# Messages are kept whole, exactly as users see them, even past the line length.
# ruff: noqa: E501

from __future__ import annotations

from tests.config.cases.base import HS, SF, STORE, Case

SECTION_CASES: list[Case] = [
    Case(
        "malformed_yaml",
        STORE + "sources: [sf\n",
        (
            "{dir}/leadloop.yaml:4:1: expected ',' or ']', but got '<stream end>' (while parsing a flow sequence that starts on line 3)",
        ),
    ),
    Case(
        "tab_indentation",
        "store:\n\turl: sqlite:///leadloop.db\n",
        ("{dir}/leadloop.yaml:2:1: tab character: YAML indentation must use spaces",),
    ),
    Case(
        "duplicate_top_level_key",
        STORE + "limits: {}\nstore:\n  url: sqlite:///other.db\n",
        ("{dir}/leadloop.yaml:4: store: duplicate key 'store' (first defined on line 1)",),
    ),
    Case(
        "duplicate_source_name",
        STORE + "sources:\n" + SF + SF,
        ("{dir}/leadloop.yaml:9: sources.sf: duplicate key 'sf' (first defined on line 4)",),
    ),
    Case(
        "unknown_section_with_hint",
        STORE + "sorces: {}\n",
        ("{dir}/leadloop.yaml:3: sorces: unknown key 'sorces'; did you mean 'sources'?",),
    ),
    Case(
        "unknown_section_without_hint",
        STORE + "telemetry: {}\n",
        (
            "{dir}/leadloop.yaml:3: telemetry: unknown key 'telemetry' (expected one of: store, sources, reasons, policies, feedback, limits)",
        ),
    ),
    Case(
        "unknown_nested_key_with_hint",
        STORE + "sources:\n" + SF + "      instanse_url: https://x.my.salesforce.com\n",
        (
            "{dir}/leadloop.yaml:9: sources.sf.connection.instanse_url: unknown key 'instanse_url'; did you mean 'instance_url'?",
        ),
    ),
    Case(
        "wrong_type_batch_size",
        STORE + "sources:\n" + SF + "    write_back: {batch_size: lots}\n",
        (
            "{dir}/leadloop.yaml:9: sources.sf.write_back.batch_size: Input should be a valid integer, unable to parse string as an integer",
        ),
    ),
    Case(
        "wrong_type_section",
        STORE + "limits: 50\n",
        ("{dir}/leadloop.yaml:3: limits: expected a mapping (key: value pairs)",),
    ),
    Case(
        "url_without_scheme",
        STORE
        + "sources:\n"
        + SF.replace("https://acme.my.salesforce.com", "acme.my.salesforce.com"),
        (
            "{dir}/leadloop.yaml:7: sources.sf.connection.instance_url: expected an http(s) URL such as https://example.com",
        ),
    ),
    Case(
        "http_on_public_host",
        STORE + "sources:\n" + HS + "      base_url: http://api.hubapi.com\n",
        (
            "{dir}/leadloop.yaml:8: sources.hs.connection.base_url: http:// is only allowed for loopback hosts (127.0.0.1, ::1, localhost); use https://",
        ),
    ),
    Case(
        "credentials_in_url",
        STORE + "sources:\n" + HS + "      base_url: https://me:pw@api.hubapi.com\n",
        (
            "{dir}/leadloop.yaml:8: sources.hs.connection.base_url: URLs must not contain credentials; use the auth settings",
        ),
    ),
    Case(
        "salesforce_batch_over_limit",
        STORE + "sources:\n" + SF + "    write_back: {batch_size: 250}\n",
        (
            "{dir}/leadloop.yaml:9: sources.sf.write_back.batch_size: at most 200 (Salesforce sObject Collections take 200 records per call)",
        ),
    ),
    Case(
        "hubspot_batch_over_limit",
        STORE + "sources:\n" + HS + "    write_back: {batch_size: 150}\n",
        (
            "{dir}/leadloop.yaml:8: sources.hs.write_back.batch_size: at most 100 (HubSpot batch endpoints take 100 records per call)",
        ),
    ),
    Case(
        "unknown_source_type",
        STORE + "sources:\n  crm:\n    type: pipedrive\n",
        (
            "{dir}/leadloop.yaml:5: sources.crm.type: unknown value 'pipedrive' (expected 'hubspot', 'salesforce')",
        ),
    ),
    Case(
        "unknown_auth_method",
        STORE + "sources:\n" + SF.replace("method: password", "method: oauth"),
        (
            "{dir}/leadloop.yaml:8: sources.sf.connection.auth.method: unknown value 'oauth' (expected 'password', 'jwt', 'session')",
        ),
    ),
    Case(
        "session_without_instance",
        STORE
        + 'sources:\n  sf:\n    type: salesforce\n    connection:\n      auth: {method: session, session_id: "${SF_PASSWORD}"}\n',
        (
            "{dir}/leadloop.yaml:6: sources.sf.connection: auth method 'session' needs connection.instance_url",
        ),
    ),
    Case(
        "bad_source_name",
        STORE + "sources:\n" + SF.replace("  sf:", "  Sales-Force:"),
        (
            "{dir}/leadloop.yaml:4: sources.Sales-Force: source name 'Sales-Force' must be lower-case letters, digits and _, starting with a letter",
        ),
    ),
    Case(
        "unknown_mapping_name",
        STORE + "sources:\n" + SF + "    mapping: salesforce_leads\n",
        (
            "{dir}/leadloop.yaml:9: sources.sf.mapping: unknown mapping 'salesforce_leads': not a builtin mapping (hubspot_contact, salesforce_lead) nor an existing .yaml file",
        ),
    ),
    Case(
        "mapping_for_other_crm",
        STORE + "sources:\n" + HS + "    mapping: salesforce_lead\n",
        (
            "{dir}/leadloop.yaml:8: sources.hs.mapping: mapping 'salesforce_lead' is for salesforce, but this source is hubspot",
        ),
    ),
    Case(
        "feedback_target_missing",
        STORE + "sources:\n" + HS + "feedback: {target: hubspot}\n",
        (
            "{dir}/leadloop.yaml:8: feedback.target: no source named 'hubspot' (HubSpot sources: hs)",
        ),
    ),
    Case(
        "feedback_target_not_hubspot",
        STORE + "sources:\n" + SF + "feedback: {target: sf}\n",
        (
            "{dir}/leadloop.yaml:9: feedback.target: source 'sf' is salesforce; feedback is pushed to a HubSpot source",
        ),
    ),
    Case(
        "api_budget_share_zero",
        STORE + "limits: {api_budget_share: 0}\n",
        ("{dir}/leadloop.yaml:3: limits.api_budget_share: Input should be greater than 0",),
    ),
    Case(
        "api_budget_share_above_one",
        STORE + "sources:\n" + SF + "    api_budget_share: 1.5\n",
        (
            "{dir}/leadloop.yaml:9: sources.sf.api_budget_share: Input should be less than or equal to 1",
        ),
    ),
    Case(
        "unsupported_database",
        "store:\n  url: mysql://db.internal/leadloop\n",
        (
            "{dir}/leadloop.yaml:2: store.url: unsupported database 'mysql': use sqlite or postgresql",
        ),
    ),
    Case(
        "sqlite_url_with_a_host",
        "store:\n  url: sqlite://leadloop.db\n",
        (
            "{dir}/leadloop.yaml:2: store.url: a SQLite URL has no host ('leadloop.db' here): "
            "three slashes before a relative path (sqlite:///leadloop.db), four before an "
            "absolute one (sqlite:////var/lib/leadloop.db)",
        ),
    ),
    Case(
        "missing_store", "sources: {}\n", ("{dir}/leadloop.yaml:1: store: required key is missing",)
    ),
    Case(
        "empty_file",
        "",
        (
            "{dir}/leadloop.yaml:1: the config must be a mapping of sections (store, sources, reasons, policies, feedback, limits)",
        ),
    ),
    Case(
        "recommendation_unknown_placeholder",
        STORE
        + 'feedback:\n  recommendations:\n    - when: {reason: competitor}\n      then: "{reason} is up by {growth}"\n',
        (
            "{dir}/leadloop.yaml:6: feedback.recommendations[0].then: unknown placeholder {growth} (known: {reason}, {share}, {count}, {lead_source}, {campaign}, {source}, {period}, {valid_contact_share})",
        ),
    ),
    Case(
        "recommendation_unknown_reason",
        STORE
        + 'feedback:\n  recommendations:\n    - when: {reason: too_expensive}\n      then: "{reason}: {share:.0%}"\n',
        (
            "{dir}/leadloop.yaml:5: feedback.recommendations[0].when.reason: unknown reason code 'too_expensive'",
        ),
    ),
    Case(
        "policy_reason_not_nurture",
        STORE + "policies:\n  low_score_nurture: {enabled: true, reason_code: competitor}\n",
        (
            "{dir}/leadloop.yaml:4: policies.low_score_nurture.reason_code: reason 'competitor' is an unqualified reason, not a nurture one",
        ),
    ),
    Case(
        "many_errors_at_once",
        STORE
        + "sorces: {}\nsources:\n"
        + SF
        + "    write_back: {batch_size: 0}\nlimits: {api_budget_share: 2}\nfeedback: {target: nowhere}\n",
        (
            "{dir}/leadloop.yaml:3: sorces: unknown key 'sorces'; did you mean 'sources'?",
            "{dir}/leadloop.yaml:9: sources.sf.connection.auth.password: environment variable SF_PASSWORD is not set",
            "{dir}/leadloop.yaml:10: sources.sf.write_back.batch_size: Input should be greater than or equal to 1",
            "{dir}/leadloop.yaml:11: limits.api_budget_share: Input should be less than or equal to 1",
            "{dir}/leadloop.yaml:12: feedback.target: no source named 'nowhere' (HubSpot sources: none)",
        ),
        env={},
    ),
    Case(
        "source_without_type",
        STORE + "sources:\n  sf:\n    connection: {}\n",
        ("{dir}/leadloop.yaml:4: sources.sf: missing the key 'type' ('hubspot', 'salesforce')",),
    ),
    Case(
        "auth_without_method",
        STORE + "sources:\n" + SF.replace("method: password, ", ""),
        (
            "{dir}/leadloop.yaml:8: sources.sf.connection.auth: missing the key 'method' ('password', 'jwt', 'session')",
        ),
    ),
    Case(
        "wrong_choice",
        STORE + "feedback:\n  periods: [week, year]\npolicies:\n  require_reason: {mode: fixx}\n",
        (
            "{dir}/leadloop.yaml:4: feedback.periods[1]: Input should be 'day', 'week' or 'month'",
            "{dir}/leadloop.yaml:6: policies.require_reason.mode: Input should be 'report', 'flag' or 'fix'",
        ),
    ),
]
