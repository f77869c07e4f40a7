"""Config edits for an org that differs from the built-in mappings' assumptions (e.g. one that
keeps review flags in a field rather than in tasks)."""

from __future__ import annotations

from pathlib import Path

from mappings.loader import mapping_path


def _salesforce_copy(config: Path) -> Path:
    """The config's own copy of the built-in Lead mapping (made and pointed at on first use,
    so that several org edits compose)."""
    mapping = config.parent / "salesforce_lead.yaml"
    if not mapping.exists():
        mapping.write_text(mapping_path("salesforce_lead").read_text("utf-8"), "utf-8")
        original = config.read_text(encoding="utf-8")
        config.write_text(
            original.replace("mapping: salesforce_lead", f"mapping: {mapping}"), encoding="utf-8"
        )
    return mapping


def _edit_salesforce(config: Path, anchor: str, replacement: str) -> None:
    mapping = _salesforce_copy(config)
    text = mapping.read_text(encoding="utf-8")
    assert anchor in text, "the built-in Lead mapping changed: update this org's edit"
    mapping.write_text(text.replace(anchor, replacement, 1), encoding="utf-8")


def map_salesforce_flag_field(config: Path) -> None:
    """An org without the "reason required" rule that wants its review flags in a field: the
    Lead mapping on ``flag_channel: field`` with ``Leadloop_Review__c`` (as its comments
    describe)."""
    field = "flag_channel: field\nreview_flag_field: Leadloop_Review__c\n"
    _edit_salesforce(config, "flag_channel: task\n", field)
