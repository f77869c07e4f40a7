"""Connector tests: the shared contract suite and each CRM's own cases."""
