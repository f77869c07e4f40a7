"""The HubSpot emulator's realistic quirks: the registry, the sandbox options, the seed's shape."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from connectors.sandbox.hubspot import HubSpotEmulator
from connectors.sandbox.runner import Sandbox, SandboxOptions
from tests.sandbox.hubspot_support import START, FrozenClock


def _never() -> datetime:
    raise AssertionError("the clock must not be read at construction")


def test_given_the_quirk_registry_then_every_quirk_names_its_vendor_page() -> None:
    assert len(HubSpotEmulator.QUIRKS) >= 10
    for name, description in HubSpotEmulator.QUIRKS.items():
        assert name.isidentifier()
        assert "https://developers.hubspot.com/" in description, name


def test_given_a_new_emulator_then_every_quirk_is_on() -> None:
    emulator = HubSpotEmulator(contacts=0, now=_never)
    assert all(emulator.quirk(name) for name in HubSpotEmulator.QUIRKS)
    assert (emulator.create_status, emulator.rate_limits) == (200, True)
    assert emulator.search_index_lag.total_seconds() == 3


def test_given_quirks_off_then_exactly_those_are_off() -> None:
    emulator = HubSpotEmulator(contacts=0, now=_never, quirks_off={"create_200", "rate_limits"})
    off = {name for name in HubSpotEmulator.QUIRKS if not emulator.quirk(name)}
    assert off == {"create_200", "rate_limits"}
    assert (emulator.create_status, emulator.rate_limits) == (201, False)


def test_given_an_unknown_quirk_then_value_error_listing_the_known_ones() -> None:
    known = r"unknown HubSpot emulator quirk 'lag'; known: .*rate_limits"
    with pytest.raises(ValueError, match=known):
        HubSpotEmulator(contacts=0, now=_never, quirks_off={"lag"})
    with pytest.raises(KeyError, match="no HubSpot emulator quirk 'lag'"):
        HubSpotEmulator(contacts=0, now=_never).quirk("lag")


def test_given_sandbox_options_then_hubspot_quirk_names_reach_the_emulator() -> None:
    options = SandboxOptions(leads=0, contacts=0, quirks_off=frozenset({"hubspot.seed_bursts"}))
    with Sandbox(options) as box:
        assert not box.hubspot.quirk("seed_bursts")
        assert box.hubspot.quirk("search_index_lag")
    with pytest.raises(ValueError, match="unknown HubSpot emulator quirk 'nope'"):
        Sandbox(SandboxOptions(leads=0, contacts=0, quirks_off=frozenset({"hubspot.nope"}))).start()


def test_given_a_saved_emulator_with_quirks_off_when_loaded_then_they_stay_off(
    tmp_path: Path,
) -> None:
    saved = HubSpotEmulator(contacts=5, now=FrozenClock(START), quirks_off={"search_index_lag"})
    saved.save(tmp_path / "hubspot.json")
    loaded = HubSpotEmulator.load(tmp_path / "hubspot.json", now=FrozenClock(START))
    assert not loaded.quirk("search_index_lag") and loaded.quirk("rate_limits")
    assert loaded.search_index_lag.total_seconds() == 0


def test_given_the_default_portal_then_contacts_have_no_status_changed_property() -> None:
    emulator = HubSpotEmulator(contacts=50, now=_never)
    assert emulator.contacts.registry.get("lead_status_changed_at") is None
    assert not any("lead_status_changed_at" in r.properties for r in emulator.contacts.live())


def test_given_the_status_changed_quirk_off_then_every_seeded_contact_has_the_date() -> None:
    emulator = HubSpotEmulator(contacts=50, now=_never, quirks_off={"no_status_changed_at"})
    assert emulator.contacts.registry.get("lead_status_changed_at") is not None
    assert all("lead_status_changed_at" in r.properties for r in emulator.contacts.live())


def _runs(emulator: HubSpotEmulator) -> list[list[int]]:
    """Search order (live contacts by lastmodifieddate, id) cut into same-millisecond runs."""
    runs: list[list[int]] = []
    last = None
    for position, (stamp, _) in enumerate(emulator.contacts.by_modified):
        if stamp != last:
            runs.append([])
            last = stamp
        runs[-1].append(position)
    return runs


@pytest.mark.parametrize("boundary", [100, 200, 300])
def test_given_the_seed_then_an_import_burst_straddles_every_page_and_batch_boundary(
    boundary: int,
) -> None:
    emulator = HubSpotEmulator(contacts=350, now=_never)
    (run,) = [r for r in _runs(emulator) if r[0] < boundary <= r[-1]]
    assert len(run) >= 15
    members = [emulator.contacts.records[i] for _, i in emulator.contacts.by_modified[run[0] :]]
    first = members[0]
    assert all(
        (m.created_ms, m.properties["createdate"], m.properties["lastmodifieddate"])
        == (first.created_ms, first.properties["createdate"], first.properties["lastmodifieddate"])
        for m in members[: len(run)]
    )


def test_given_the_burst_quirk_off_then_no_import_burst() -> None:
    emulator = HubSpotEmulator(contacts=350, now=_never, quirks_off={"seed_bursts"})
    assert max(len(r) for r in _runs(emulator)) < 5
