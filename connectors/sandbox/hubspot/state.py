"""Saving and loading an emulator's whole state (``leadloop sandbox --state-dir``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from connectors.sandbox.hubspot.associations import Associations
from connectors.sandbox.hubspot.metadata import Schemas
from connectors.sandbox.hubspot.store import ObjectStore

if TYPE_CHECKING:
    from connectors.sandbox.hubspot.app import HubSpotEmulator

STATE_VERSION = 2


def save_state(emulator: HubSpotEmulator, path: Path) -> None:
    """Write ``emulator``'s records, schemas, associations and configuration to ``path``."""
    state = {
        "version": STATE_VERSION,
        "config": _config(emulator),
        "contacts": emulator.contacts.to_state(),
        "tasks": emulator.tasks.to_state(),
        "notes": emulator.notes.to_state(),
        "associations": emulator.associations.to_state(),
        "schemas": emulator.schemas.to_state(),
        "scenarios": {str(k): v for k, v in emulator.scenarios.items()},
    }
    path.write_text(json.dumps(state), encoding="utf-8")


def _config(emulator: HubSpotEmulator) -> dict[str, Any]:
    return {
        "seed": emulator.seed,
        "access_token": emulator.access_token,
        "tier": emulator.limiter.tier,
        "quirks_off": sorted(emulator.quirks.off),
        "rate_limits": emulator.rate_limits,
        "search_index_lag_ms": int(emulator.search_index_lag.total_seconds() * 1000),
        "create_status": emulator.create_status,
        "daily_limit": emulator.limiter.daily_limit,
        "custom_objects": emulator.custom_objects,
    }


def load_state(
    path: Path, now: Callable[[], datetime] | None, emulator_class: type[HubSpotEmulator]
) -> HubSpotEmulator:
    """An emulator (of ``emulator_class``) restored from :func:`save_state` output."""
    state = json.loads(path.read_text(encoding="utf-8"))
    if state.get("version") != STATE_VERSION:
        raise ValueError(f"{path}: unsupported state version {state.get('version')!r}")
    config = dict(state["config"])
    lag = timedelta(milliseconds=config.pop("search_index_lag_ms"))
    emulator = emulator_class(contacts=0, now=now, search_index_lag=lag, **config)
    emulator.contacts = ObjectStore.from_state(state["contacts"])
    emulator.tasks = ObjectStore.from_state(state["tasks"])
    emulator.notes = ObjectStore.from_state(state["notes"])
    emulator.associations = Associations.from_state(state["associations"])
    emulator.schemas = Schemas.from_state(state["schemas"])
    emulator.scenarios = {int(k): v for k, v in state["scenarios"].items()}
    return emulator
