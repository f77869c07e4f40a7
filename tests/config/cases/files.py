"""Broken files a config names: reason catalogues and mapping files."""

# Messages are kept whole, exactly as users see them, even past the line length.
# ruff: noqa: E501

from __future__ import annotations

from tests.config.cases.base import HS, SF, STORE, Case, mapping_text

FILE_CASES: list[Case] = [
    Case(
        "catalogue_unknown_legacy_code",
        STORE + "reasons: {catalogue: reasons.yaml}\n",
        ("{dir}/reasons.yaml:8: legacy.salesforce.Pricey: unknown reason code 'too_expensive'",),
        files={
            "reasons.yaml": "reasons:\n  competitor:\n    label: Competitor\n    status: unqualified\nlegacy:\n  salesforce:\n    Lost: [competitor]\n    Pricey: [too_expensive]\n"
        },
    ),
    Case(
        "catalogue_bad_status_and_code",
        STORE + "reasons: {catalogue: reasons.yaml}\n",
        (
            "{dir}/reasons.yaml:2: reasons.Competitor: reason codes are snake_case: lower-case letters, digits, _",
            "{dir}/reasons.yaml:7: reasons.timing.status: status must be nurture or unqualified, got 'later'",
        ),
        files={
            "reasons.yaml": "reasons:\n  Competitor:\n    label: Competitor\n    status: unqualified\n  timing:\n    label: Timing\n    status: later\n"
        },
    ),
    Case(
        "catalogue_missing_file",
        STORE + "reasons: {catalogue: reasons.yaml}\n",
        (
            "{dir}/leadloop.yaml:3: reasons.catalogue: catalogue file not found: {dir}/reasons.yaml (or write 'default')",
        ),
    ),
    Case(
        "mapping_status_mapped_twice",
        STORE + "sources:\n" + SF + "    mapping: lead.yaml\n",
        ("{dir}/lead.yaml:10: statuses.Open: duplicate key 'Open' (first defined on line 8)",),
        files={"lead.yaml": mapping_text("  Open: new\n  Nurture: nurture\n  Open: working\n")},
    ),
    Case(
        "mapping_unknown_canonical_status",
        STORE + "sources:\n" + SF + "    mapping: lead.yaml\n",
        (
            "{dir}/lead.yaml:9: statuses.Hot: unknown canonical status 'on_fire' (known: new, working, nurture, unqualified, qualified, converted)",
        ),
        files={"lead.yaml": mapping_text("  Open: new\n  Hot: on_fire\n")},
    ),
    Case(
        "mapping_unknown_transform",
        STORE + "sources:\n" + SF + "    mapping: lead.yaml\n",
        (
            "{dir}/lead.yaml:7: fields.email.transforms[1]: unknown transform 'emial' (known: trim, lower, text, email, phone_e164, number, boolean, datetime, date, truncate(N))",
        ),
        files={
            "lead.yaml": mapping_text(
                fields="  status: Status\n  email: {field: Email, transforms: [trim, emial]}\n"
            )
        },
    ),
    Case(
        "mapping_unknown_canonical_field",
        STORE + "sources:\n" + SF + "    mapping: lead.yaml\n",
        (
            "{dir}/lead.yaml:7: fields.shoe_size: unknown canonical field 'shoe_size' (known: status, nurture_reason, unqualified_reason, reason_detail, email, phone, company, industry, country, title, lead_source, campaign, score, wants_call, owner, created_at, status_changed_at, modified_at, converted_at)",
        ),
        files={"lead.yaml": mapping_text(fields="  status: Status\n  shoe_size: Shoe_Size__c\n")},
    ),
    Case(
        "mapping_write_value_not_read_back",
        STORE + "sources:\n" + SF + "    mapping: lead.yaml\n",
        (
            "{dir}/lead.yaml:10: status_write_values.new: 'Open - Not Contacted' is not mapped back to 'new' in statuses",
        ),
        files={
            "lead.yaml": mapping_text(extra="status_write_values:\n  new: Open - Not Contacted\n")
        },
    ),
    Case(
        "mapping_unknown_reason_code",
        STORE + "sources:\n" + SF + "    mapping: lead.yaml\n",
        (
            "{dir}/lead.yaml:10: reasons.Too Pricey: unknown reason code 'too_expensive' (not in the reason catalogue)",
        ),
        files={"lead.yaml": mapping_text(extra="reasons:\n  Too Pricey: too_expensive\n")},
    ),
    Case(
        "mapping_and_section_errors_together",
        STORE + "sources:\n" + SF + "    mapping: lead.yaml\nlimits: {api_budget_share: 2}\n",
        (
            "{dir}/lead.yaml:7: fields.email.transforms[0]: unknown transform 'lowercase' (known: trim, lower, text, email, phone_e164, number, boolean, datetime, date, truncate(N))",
            "{dir}/leadloop.yaml:10: limits.api_budget_share: Input should be less than or equal to 1",
        ),
        files={
            "lead.yaml": mapping_text(
                fields="  status: Status\n  email: {field: Email, transforms: [lowercase]}\n"
            )
        },
    ),
    Case(
        "mapping_of_another_object",
        STORE + "sources:\n" + SF + "    mapping: lead.yaml\n",
        (
            "{dir}/lead.yaml:2: object: the salesforce connector reads the object 'Lead' only, not 'Contact'",
        ),
        files={"lead.yaml": mapping_text().replace("object: Lead", "object: Contact")},
    ),
    Case(
        "mapping_with_other_keys",
        STORE + "sources:\n" + SF + "    mapping: lead.yaml\n",
        (
            "{dir}/lead.yaml:3: id_field: the salesforce connector identifies records by 'Id' only, not 'LeadId'",
            "{dir}/lead.yaml:4: modstamp_field: the salesforce connector finds changes by 'SystemModstamp' only, not 'LastModifiedDate'",
        ),
        files={
            "lead.yaml": mapping_text()
            .replace("id_field: Id", "id_field: LeadId")
            .replace("modstamp_field: SystemModstamp", "modstamp_field: LastModifiedDate")
        },
    ),
    Case(
        "hubspot_mapping_of_companies",
        STORE + "sources:\n" + HS + "    mapping: companies.yaml\n",
        (
            "{dir}/companies.yaml:2: object: the hubspot connector reads the object 'contacts' only, not 'companies'",
            "{dir}/companies.yaml:4: modstamp_field: the hubspot connector finds changes by 'lastmodifieddate' only, not 'hs_lastmodifieddate'",
        ),
        files={
            "companies.yaml": "crm: hubspot\nobject: companies\nid_field: hs_object_id\n"
            "modstamp_field: hs_lastmodifieddate\nfields:\n  status: hs_lead_status\n"
            "statuses:\n  NEW: new\n"
        },
    ),
    Case(
        "mapping_for_an_unknown_crm",
        STORE + "sources:\n" + SF + "    mapping: lead.yaml\n",
        ("{dir}/lead.yaml:1: crm: unknown CRM 'pipedrive' (known: hubspot, salesforce)",),
        files={"lead.yaml": mapping_text().replace("crm: salesforce", "crm: pipedrive")},
    ),
]
