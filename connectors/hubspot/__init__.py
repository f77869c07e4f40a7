"""HubSpot connector: contacts via hubspot-api-client (search windows, batch writes)."""

from connectors.hubspot.client import HubSpotConnection, build_client
from connectors.hubspot.connector import HubSpotConnector

__all__ = ["HubSpotConnection", "HubSpotConnector", "build_client"]
