"""Config edits for a portal that differs from the built-in mapping's assumptions."""

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
