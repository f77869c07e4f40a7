"""Scheduler specs reuse the sandbox loop of the end-to-end specs (emulators, store, clock)."""

from __future__ import annotations

from pathlib import Path

from sync.config.settings import Settings, load_settings
from tests.e2e.conftest import START, Harness, any_store_harness, clock, harness  # fixtures


def schedule(config: Path, **schedules: str) -> Path:
    """Give sources a schedule in the config file, e.g. ``salesforce="{every: 15m}"``."""
    text = config.read_text(encoding="utf-8")
    mappings = {"salesforce": "salesforce_lead", "hubspot": "hubspot_contact"}
    for source, value in schedules.items():
        line = f"    mapping: {mappings[source]}\n"
        assert line in text, f"no mapping line for {source} in {config}"
        text = text.replace(line, f"{line}    schedule: {value}\n")
    config.write_text(text, encoding="utf-8")
    return config


def scheduled(harness: Harness, **schedules: str) -> Settings:
    """The harness's settings after giving its sources the ``schedules``."""
    harness.settings = load_settings(schedule(harness.config, **schedules))
    return harness.settings


__all__ = ["START", "any_store_harness", "clock", "harness", "schedule", "scheduled"]
