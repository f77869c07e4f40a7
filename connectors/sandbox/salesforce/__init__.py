"""Loopback emulator of the Salesforce REST, SOAP-login, OAuth and Bulk 2.0 query APIs."""

from connectors.sandbox.salesforce.app import SalesforceEmulator
from connectors.sandbox.salesforce.routes import OPERATIONS
from connectors.sandbox.salesforce.seed import SCENARIO_LOOKS

__all__ = ["OPERATIONS", "SCENARIO_LOOKS", "SalesforceEmulator"]
