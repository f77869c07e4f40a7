"""Salesforce connector: Leads read over REST SOQL and Bulk 2.0, written with Collections."""

from connectors.salesforce.client import (
    JwtAuth,
    PasswordAuth,
    SalesforceConnection,
    SessionAuth,
    build_client,
)
from connectors.salesforce.connector import SalesforceConnector

__all__ = [
    "JwtAuth",
    "PasswordAuth",
    "SalesforceConnection",
    "SalesforceConnector",
    "SessionAuth",
    "build_client",
]
