"""CRM connectors: the contract (:mod:`connectors.base`), the retry policy, one folder per CRM."""

from connectors.batching import chunks

__all__ = ["chunks"]
