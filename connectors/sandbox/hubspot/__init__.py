"""Loopback emulator of the HubSpot CRM v3 API (see :mod:`.app`)."""

from connectors.sandbox.hubspot.app import HubSpotEmulator

__all__ = ["HubSpotEmulator"]
