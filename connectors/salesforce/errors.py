"""The one place that decides what a Salesforce failure means: retry, stop, fail or re-raise.

simple-salesforce maps HTTP statuses to exception classes (300 MoreThanOneRecord, 400
MalformedRequest, 401 ExpiredSession, 403 RefusedRequest, 404 ResourceNotFound, anything else
GeneralError; crm-api-facts.md 1.8) and carries the parsed JSON error array in ``.content``.
Error codes: https://developer.salesforce.com/docs/platform/api-rest/guide/errorcodes.md
"""

from __future__ import annotations

from typing import Any

import requests
from simple_salesforce.exceptions import (
    SalesforceAuthenticationFailed,
    SalesforceError,
    SalesforceExpiredSession,
    SalesforceMalformedRequest,
    SalesforceOperationError,
    SalesforceRefusedRequest,
    SalesforceResourceNotFound,
)

from connectors.base import ConnectorError
from connectors.http import Action, Decision

#: 5xx answers worth another try (500 is usually transient on Salesforce: "UNKNOWN_EXCEPTION")
RETRY_STATUSES = frozenset({500, 502, 503, 504})
#: per-record / per-request codes that are transient by nature
TRANSIENT_CODES = frozenset({"UNABLE_TO_LOCK_ROW", "SERVER_UNAVAILABLE", "QUERY_TIMEOUT"})


def error_code(exc: SalesforceError) -> str | None:
    """The first ``errorCode`` of a Salesforce error body (a JSON array), if there is one."""
    content: Any = exc.content
    if isinstance(content, list) and content and isinstance(content[0], dict):
        code = content[0].get("errorCode")
        return str(code) if code else None
    return None


def error_message(exc: SalesforceError) -> str:
    """``CODE: message`` of the first error in the body, or the HTTP status alone."""
    content: Any = exc.content
    if isinstance(content, list) and content and isinstance(content[0], dict):
        first = content[0]
        return f"{first.get('errorCode', 'ERROR')}: {first.get('message', '')}"[:300]
    return f"HTTP {exc.status}"


def classify(exc: BaseException) -> Decision:
    """Turn whatever a Salesforce call raised into a retry decision (see module docstring)."""
    if isinstance(exc, ConnectorError):
        # Raised on purpose by our own code (budget guard, AuthError): not ours to re-judge.
        return Decision(Action.RAISE, type(exc).__name__)
    if isinstance(exc, requests.RequestException):
        return _classify_transport(exc)
    if isinstance(exc, SalesforceAuthenticationFailed):
        return Decision(Action.FAIL, f"login refused: {exc.code}")
    if isinstance(exc, SalesforceError):
        return _classify_api(exc)
    if isinstance(exc, SalesforceOperationError):
        # Bulk 2.0 job ended Failed/Aborted (or timed out): the job itself is broken.
        return Decision(Action.FAIL, f"bulk job failed: {str(exc)[:200]}")
    return Decision(Action.RAISE, f"unexpected {type(exc).__name__}")


def _classify_transport(exc: requests.RequestException) -> Decision:
    if isinstance(exc, requests.exceptions.SSLError):
        # A certificate problem does not heal by retrying: wrong ca_bundle or wrong URL scheme.
        return Decision(Action.FAIL, f"TLS error (check ca_bundle and URL scheme): {exc}"[:300])
    if isinstance(
        exc, (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)
    ):
        return Decision(Action.RETRY, f"connection problem: {type(exc).__name__}")
    return Decision(Action.FAIL, f"bad request: {type(exc).__name__}")


def _classify_api(exc: SalesforceError) -> Decision:
    code = error_code(exc)
    message = error_message(exc)
    if isinstance(exc, SalesforceExpiredSession):
        # simple-salesforce already re-logged in (up to 3 times) when it had credentials; the
        # connector rebuilds the client once more, then turns this into AuthError.
        return Decision(Action.RAISE, "session expired or invalid")
    if code == "REQUEST_LIMIT_EXCEEDED":
        # 403 for the org's rolling 24 h allocation (and the concurrent long-request cap).
        # Backing off cannot help within a run: stop cleanly.
        return Decision(Action.STOP, f"Salesforce API limit reached ({message})")
    if code in TRANSIENT_CODES:
        # UNABLE_TO_LOCK_ROW can come back as a whole-request 400/500 (e.g. from a trigger).
        return Decision(Action.RETRY, message)
    if isinstance(exc, SalesforceRefusedRequest):
        # Any other 403: missing permission, API disabled for the user, IP restriction.
        return Decision(Action.FAIL, f"refused: {message}")
    if isinstance(exc, SalesforceMalformedRequest):
        # MALFORMED_QUERY / INVALID_FIELD / INVALID_TYPE: our SOQL is wrong or the org's schema
        # differs from the mapping. Retrying sends the same bad request.
        return Decision(Action.FAIL, f"rejected request: {message}")
    if isinstance(exc, SalesforceResourceNotFound):
        # 404 on a versioned path: wrong api_version, unknown object, or a stale locator.
        return Decision(Action.FAIL, f"not found: {message}")
    if exc.status in RETRY_STATUSES:
        return Decision(Action.RETRY, f"HTTP {exc.status}: {message}")
    # 300, 409 (e.g. bulk results with another API version), 412 (JOB_NOT_COMPLETE: a bug in
    # our polling), 415: retrying the identical request cannot succeed.
    return Decision(Action.FAIL, f"HTTP {exc.status}: {message}")
