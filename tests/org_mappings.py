"""Config edits for an org or portal that differs from the built-in mappings' assumptions:
fields that only some CRMs have (leadloop reads them when a mapping names them)."""

from __future__ import annotations

from pathlib import Path

from mappings.loader import mapping_path


def map_status_changed_at(config: Path) -> None:
    """Point the config's HubSpot source at a copy of the built-in mapping that reads the
    portal's custom ``lead_status_changed_at`` (as config/leadloop.example.yaml describes)."""
    line = "  status_changed_at: {field: lead_status_changed_at, transforms: [datetime]}\n"
    builtin = mapping_path("hubspot_contact").read_text(encoding="utf-8")
    copy = config.parent / "portal_contact.yaml"
    copy.write_text(builtin.replace("fields:\n", "fields:\n" + line, 1), encoding="utf-8")
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("mapping: hubspot_contact", f"mapping: {copy}"), "utf-8")


def map_salesforce_status_changed_at(config: Path) -> None:
    """An org WITH a status-changed date field, and a config that reads it (as the example
    config describes): a copy of the built-in Lead mapping that maps ``status_changed_at``."""
    mapping = config.parent / "salesforce_lead.yaml"
    text = mapping_path("salesforce_lead").read_text(encoding="utf-8")
    anchor = "  modified_at: {field: SystemModstamp"
    assert anchor in text, "the built-in Lead mapping changed: update this opt-out"
    line = "  status_changed_at: {field: Status_Changed_At__c, transforms: [datetime]}\n"
    mapping.write_text(text.replace(anchor, line + anchor), encoding="utf-8")
    original = config.read_text(encoding="utf-8")
    config.write_text(
        original.replace("mapping: salesforce_lead", f"mapping: {mapping}"), encoding="utf-8"
    )
