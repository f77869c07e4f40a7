"""Loopback emulator of the HubSpot CRM v3 API for the real hubspot-api-client.

Usage::

    emulator = HubSpotEmulator(contacts=200, seed=42, now=clock)
    with Server(emulator) as server:
        client = hubspot.Client.create(access_token=emulator.access_token, host=server.url)

Modules: :mod:`.app` (routing, auth, limits, faults), :mod:`.quirks` (the realistic behaviours,
each on by default and switchable off), :mod:`.objects`, :mod:`.batch`, :mod:`.batchplan` and
:mod:`.checks` (object endpoints and what a write must satisfy), :mod:`.search` and
:mod:`.filters` (CRM search), :mod:`.engagements` and :mod:`.associations` (tasks, notes and
their links to contacts), :mod:`.metadata` (properties, groups, schemas), :mod:`.defaults`
(seeded property definitions), :mod:`.scenarios` (seed scenario -> HubSpot values table),
:mod:`.seed`, :mod:`.records` and :mod:`.store` (records, property history, indexes),
:mod:`.ratelimit`, :mod:`.errors`, :mod:`.actions` (people's edits, merges), :mod:`.state`
(save and load), :mod:`.control` (``/__sandbox__/`` actions).
"""

from connectors.sandbox.hubspot.app import HubSpotEmulator

__all__ = ["HubSpotEmulator"]
