"""The one place that decides what a Salesforce failure means: retry, stop, fail or re-raise.

simple-salesforce maps HTTP statuses to exception classes (300 MoreThanOneRecord, 400
MalformedRequest, 401 ExpiredSession, 403 RefusedRequest, 404 ResourceNotFound, anything else
GeneralError: ``exception_handler`` in its ``util.py``,
https://github.com/simple-salesforce/simple-salesforce) and carries the parsed JSON error
array in ``.content``.
Status and error codes: https://developer.salesforce.com/docs/platform/api-rest/guide/errorcodes.md

Logins fail with ``SalesforceAuthenticationFailed`` whatever the cause: its ``code`` is the
SOAP fault's ``exceptionCode`` or the OAuth ``error`` when the answer carried one, else the
bare HTTP status. Only an authentication answer is an authentication failure: a 5xx, a
redirect or an answer that is neither SOAP nor JSON is retried like any other call. OAuth
token errors: https://help.salesforce.com/apex/HTViewHelpDoc?id=xcloud.remoteaccess_oauth_flow_errors.htm
"""

from __future__ import annotations

from typing import Any
from xml.parsers.expat import ExpatError

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

from connectors.base import AuthError, Forbidden
from connectors.http import Decision, connection_cause, fail, passthrough, retry, stop
from connectors.salesforce.client import LoginUnavailable

#: answers worth another try: 5xx (500 is usually transient on Salesforce: "UNKNOWN_EXCEPTION"),
#: and 429 Too Many Requests (RFC 6585), which Salesforce itself does not send for its limits
#: (403 REQUEST_LIMIT_EXCEEDED) but a proxy or gateway in front of it may
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
#: per-record / per-request codes that are transient by nature
TRANSIENT_CODES = frozenset({"UNABLE_TO_LOCK_ROW", "SERVER_UNAVAILABLE", "QUERY_TIMEOUT"})
#: login failures that say nothing about the credentials: SOAP faults of an unwell server,
#: OAuth's "unknown_error" ("retry your request"), and simple-salesforce's code for a 200
#: answer that carried no session id
LOGIN_TRANSIENT_CODES = frozenset(
    {"SERVER_UNAVAILABLE", "UNKNOWN_EXCEPTION", "unknown_error", "UNKNOWN_EXCEPTION_CODE"}
)


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
    """Turn whatever a Salesforce call raised into a decision (see the module docstring)."""
    if isinstance(exc, requests.RequestException):
        return _classify_transport(exc)
    if isinstance(exc, ExpatError):
        # simple-salesforce parses a 200 SOAP login answer without guarding the parser.
        return retry("login answer is not the documented SOAP XML")
    if isinstance(exc, SalesforceAuthenticationFailed):
        return _classify_login(exc)
    if isinstance(exc, SalesforceError):
        return _classify_api(exc)
    if isinstance(exc, SalesforceOperationError):
        # Bulk 2.0 job ended Failed/Aborted (or timed out): the job itself is broken.
        return fail(f"bulk job failed: {str(exc)[:200]}")
    return passthrough(f"unexpected {type(exc).__name__}")


def _classify_transport(exc: requests.RequestException) -> Decision:
    if isinstance(exc, LoginUnavailable):
        return retry(f"{exc}, not a login result")
    if isinstance(exc, requests.exceptions.JSONDecodeError):
        return retry("the answer is not JSON (empty, cut short or an HTML page)")
    if isinstance(exc, requests.TooManyRedirects):
        return retry("redirected instead of answering")
    if isinstance(
        exc, (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)
    ):
        cause = connection_cause(exc)
        return fail(cause) if cause.startswith("TLS") else retry(cause)
    return fail(f"bad request: {type(exc).__name__}")


def _classify_login(exc: SalesforceAuthenticationFailed) -> Decision:
    code = str(exc.code)
    message = f"{code}: {str(exc.auth_message)[:200]}" if not code.isdigit() else ""
    if code.isdigit():
        status = int(code)
        if 400 <= status < 500:
            return fail(f"login refused (HTTP {status})", AuthError)
        # 5xx, a redirect, or a 200 that is neither SOAP nor JSON: not an answer about us.
        return retry(f"login answered HTTP {status} without a login result")
    if code == "REQUEST_LIMIT_EXCEEDED":
        return stop(f"Salesforce API limit reached at login ({message})")
    if code in LOGIN_TRANSIENT_CODES:
        return retry(f"login failed on the server side ({message})")
    return fail(f"login refused ({message})", AuthError)


def _classify_api(exc: SalesforceError) -> Decision:
    code = error_code(exc)
    message = error_message(exc)
    if isinstance(exc, SalesforceExpiredSession):
        # simple-salesforce already re-logged in (up to 3 times) when it had credentials; the
        # connector rebuilds the client once more, then turns this into AuthError.
        return passthrough("session expired or invalid")
    if code == "REQUEST_LIMIT_EXCEEDED":
        # 403 for the org's rolling 24 h allocation (and the concurrent long-request cap).
        # Backing off cannot help within a run: stop cleanly.
        return stop(f"Salesforce API limit reached ({message})")
    if code in TRANSIENT_CODES:
        # UNABLE_TO_LOCK_ROW can come back as a whole-request 400/500 (e.g. from a trigger).
        return retry(message)
    if isinstance(exc, SalesforceRefusedRequest):
        # Any other 403: missing permission, API disabled for the user, IP restriction.
        return fail(f"refused (HTTP 403: {message})", Forbidden)
    if isinstance(exc, SalesforceMalformedRequest):
        # MALFORMED_QUERY / INVALID_FIELD / INVALID_TYPE: our SOQL is wrong or the org's schema
        # differs from the mapping. Retrying sends the same bad request.
        return fail(f"rejected request (HTTP 400: {message})")
    if isinstance(exc, SalesforceResourceNotFound):
        # 404 on a versioned path: wrong api_version, unknown object, or a stale locator.
        return fail(f"not found (HTTP 404: {message})")
    if exc.status in RETRY_STATUSES:
        return retry(f"HTTP {exc.status}: {message}")
    if 301 <= exc.status < 400:
        # The REST API never redirects (300 is an external-id answer, not a redirect): a proxy
        # or a portal answered instead. An odd answer: retried, then the run stops.
        return retry(f"HTTP {exc.status} redirect instead of an API answer")
    # 300, 409 (e.g. bulk results with another API version), 412 (JOB_NOT_COMPLETE: a bug in
    # our polling), 415: retrying the identical request cannot succeed.
    return fail(f"HTTP {exc.status}: {message}")
