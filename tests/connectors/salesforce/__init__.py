"""Salesforce connector tests (real simple-salesforce over HTTP against the emulator)."""
