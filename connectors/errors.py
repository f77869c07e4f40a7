"""The error taxonomy of every connector (re-exported by :mod:`connectors.base`).

Everything a connector raises on purpose is a :class:`ConnectorError` subclass, so the engine
can decide with one ``except`` what to do: stop the run (:class:`FatalError`,
:class:`LimitExhausted`) or try later (:class:`TransientError`).
"""

from __future__ import annotations


class ConnectorError(Exception):
    """Base of every error a connector raises on purpose. Messages never contain secrets."""


class FatalError(ConnectorError):
    """The run cannot go on: bad credentials, a mapped field the CRM lacks, a broken answer."""


class AuthError(FatalError):
    """Login failed or the session cannot be renewed."""


class Forbidden(FatalError):
    """The CRM refused the call itself: a missing permission or scope, a feature the account's
    tier lacks, an IP restriction (HTTP 403 other than a spent allowance)."""


class SchemaError(FatalError):
    """The CRM's schema does not match the mapping (missing field, wrong type)."""


class LimitExhausted(ConnectorError):
    """The daily API allowance (or our configured share of it) is spent: stop, no backoff."""


class TransientError(ConnectorError):
    """Worth retrying later: 429, 5xx, dropped connection, row lock."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class MalformedAnswer(TransientError):
    """An answer without the shape the API documents (empty, cut short, HTML, a redirect, a
    missing key). Never read as "no more data": retried, then the run stops, cursor unmoved."""
