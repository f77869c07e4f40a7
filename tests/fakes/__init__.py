"""Test doubles: an in-memory CRM and a connector to it that passes the connector contract."""
