"""Loopback emulator of the HubSpot CRM v3 API for the real hubspot-api-client.

Usage::

    emulator = HubSpotEmulator(contacts=200, seed=42, now=clock)
    with Server(emulator) as server:
        client = hubspot.Client.create(access_token=emulator.access_token, host=server.url)

Modules: :mod:`.app` (routing, auth, limits, faults, human edits, state), :mod:`.objects` and
:mod:`.batch` (object endpoints), :mod:`.search` and :mod:`.filters` (CRM search),
:mod:`.metadata` (properties, groups, schemas), :mod:`.defaults` (seeded property
definitions), :mod:`.scenarios` (seed scenario -> HubSpot values table), :mod:`.seed`,
:mod:`.store`, :mod:`.ratelimit`, :mod:`.errors`, :mod:`.control` (``/__sandbox__/`` actions).
"""

from connectors.sandbox.hubspot.app import HubSpotEmulator

__all__ = ["HubSpotEmulator"]
