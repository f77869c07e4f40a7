"""HubSpot connector: contacts via hubspot-api-client (search windows, batch writes)."""

from connectors.hubspot.client import HubSpotConnection, build_client
from connectors.hubspot.connector import HubSpotConnector
from connectors.hubspot.streams import window_for

__all__ = ["HubSpotConnection", "HubSpotConnector", "build_client", "window_for"]
