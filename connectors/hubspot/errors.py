"""The one place that decides what a HubSpot failure means: retry, stop, fail or re-raise.

hubspot-api-client generates one package per API, each with its own exception classes
(``hubspot.crm.contacts.ApiException`` is not ``hubspot.crm.properties.ApiException``; their
only common base is ``Exception``: see each package's ``exceptions.py`` in
https://github.com/HubSpot/hubspot-api-python), so :data:`API_EXCEPTIONS` collects them once
and :func:`classify` duck-types on ``.status``/``.body``/``.headers``.
Error shapes and statuses: https://developers.hubspot.com/docs/api-reference/error-handling
"""

from __future__ import annotations

import json
import socket
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import urllib3
from hubspot.crm.contacts import ApiException as ContactsApiException
from hubspot.crm.objects import ApiException as ObjectsApiException
from hubspot.crm.properties import ApiException as PropertiesApiException
from hubspot.crm.schemas import ApiException as SchemasApiException

from connectors.base import AuthError, FatalError, Forbidden
from connectors.http import (
    Decision,
    connection_cause,
    fail,
    parse_retry_after,
    passthrough,
    retry,
    stop,
)

#: Every ApiException class of the sub-packages the connector calls (they share no base).
API_EXCEPTIONS: tuple[type[Exception], ...] = (
    ContactsApiException,
    ObjectsApiException,
    PropertiesApiException,
    SchemasApiException,
)
#: Rolling burst window when the 429 does not name its interval (100-190 calls / 10 s).
TEN_SECONDLY_WAIT = 10.0
#: The search API's own per-second limit ("You have reached your secondly limit.").
SECONDLY_WAIT = 1.0
SEARCH_CAP_SUBCATEGORY = "SEARCH_RESULT_LIMIT_EXCEEDED"


class RefusedInput(FatalError):
    """HubSpot refused a request's input with a 400 (a batch may hold one bad input among good
    ones: the writer narrows it down)."""


def error_body(exc: BaseException) -> dict[str, Any]:
    """The JSON error object of an ApiException (empty when there is none or it is not JSON)."""
    raw = getattr(exc, "body", None)
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", "replace")
    if not raw:
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def error_message(exc: BaseException) -> str:
    """``CATEGORY: message`` from the body, or the HTTP status alone (never headers)."""
    body = error_body(exc)
    status = getattr(exc, "status", None)
    if body.get("message"):
        category = body.get("category") or f"HTTP {status}"
        return f"{category}: {body['message']}"[:300]
    return f"HTTP {status}"


def header(exc_or_headers: Any, name: str) -> str | None:
    """A response header, case-insensitively (urllib3's HTTPHeaderDict or a plain mapping)."""
    headers = getattr(exc_or_headers, "headers", exc_or_headers)
    if not isinstance(headers, Mapping):
        return None
    for key, value in headers.items():
        if str(key).lower() == name.lower():
            return str(value)
    return None


def is_api_exception(exc: BaseException) -> bool:
    """Whether ``exc`` came from one of the generated clients (status, body, headers)."""
    return isinstance(exc, API_EXCEPTIONS)


def classify(exc: BaseException) -> Decision:
    """Turn whatever a HubSpot call raised into a decision (see the module docstring)."""
    if isinstance(exc, (urllib3.exceptions.HTTPError, ConnectionError, socket.timeout)):
        # The client has no urllib3 Retry of its own (client.build_client), so dropped
        # connections, resets and read timeouts surface here: transient by nature. A TLS
        # failure does not heal by retrying: wrong ca_bundle or URL scheme.
        cause = connection_cause(exc)
        return fail(cause) if cause.startswith("TLS") else retry(cause)
    if is_api_exception(exc):
        return _classify_status(exc)
    if isinstance(exc, AttributeError) and exc.__context__ and is_api_exception(exc.__context__):
        # The generated api_client decodes ``e.body`` of every ApiException it re-raises; a TLS
        # failure's has no body, so it crashes with an AttributeError over the real error.
        return _classify_status(exc.__context__)
    return passthrough(f"unexpected {type(exc).__name__}")


def _classify_status(exc: BaseException) -> Decision:
    status = int(getattr(exc, "status", 0) or 0)
    message = error_message(exc)
    if status == 0:
        # The generated rest.py turns urllib3 SSLError into ApiException(status=0).
        return fail(f"TLS handshake failed (check ca_bundle and the URL scheme): {_reason(exc)}")
    if status == 429:
        return _classify_rate_limit(exc)
    if status >= 500:
        return retry(f"HTTP {status}: {message}", parse_retry_after(header(exc, "Retry-After")))
    if 300 <= status < 400:
        # The API never redirects: a proxy or a portal answered instead (not the documented
        # answer). Treated like any odd answer: retried, then the run stops.
        return retry(f"HTTP {status} redirect to {_location(exc)} instead of an API answer")
    if status == 401:
        # Bad, expired or revoked private-app token. The message comes from the body only:
        # headers and the exception's str() are never quoted.
        return fail(f"access token rejected (HTTP 401: {message})", AuthError)
    if status == 403:
        return fail(f"forbidden (HTTP 403: {message}){_missing_scopes(exc)}", Forbidden)
    if status == 400 and error_body(exc).get("subCategory") == SEARCH_CAP_SUBCATEGORY:
        # Paging a search past its 10,000th result. The stream restarts queries before that
        # point, so this is a bug in our paging, not something a retry can fix.
        return fail(f"search result cap hit: {message}")
    if status == 400:
        return fail(f"HTTP 400: {message}", RefusedInput)
    # 404, 409 conflict, 415: the identical request cannot succeed.
    return fail(f"HTTP {status}: {message}")


def _reason(exc: BaseException) -> str:
    return str(getattr(exc, "reason", "") or "")[:200]


def _location(exc: BaseException) -> str:
    target = header(exc, "Location") or "?"
    parts = urlsplit(target)
    return parts.netloc + parts.path if parts.netloc else parts.path or "?"


def _classify_rate_limit(exc: BaseException) -> Decision:
    body = error_body(exc)
    policy = str(body.get("policyName") or "")
    message = error_message(exc)
    retry_after = parse_retry_after(header(exc, "Retry-After"))
    if policy == "DAILY":
        # The account's daily allowance is spent until midnight in the account's time zone:
        # backing off within a run cannot help, stop cleanly.
        return stop(f"HubSpot daily API limit reached ({message})")
    if policy == "SECONDLY":
        # Search's own per-second limit; HubSpot's Node SDK waits 1 s (its RetryDecorator,
        # https://github.com/HubSpot/hubspot-api-nodejs).
        return retry(f"search rate limit ({message})", retry_after or SECONDLY_WAIT)
    # TEN_SECONDLY_ROLLING, or a 429 without a policy name: wait out the rolling interval.
    interval = header(exc, "X-HubSpot-RateLimit-Interval-Milliseconds")
    wait = retry_after or (_millis(interval) or TEN_SECONDLY_WAIT)
    return retry(f"burst rate limit ({message})", wait)


def _millis(value: str | None) -> float | None:
    try:
        return int(value) / 1000 if value else None
    except ValueError:
        return None


def _missing_scopes(exc: BaseException) -> str:
    """`` (missing scopes: a, b)`` from a 403 body's ``context.missingScopes`` (or ``errors``)."""
    body = error_body(exc)
    scopes: list[str] = []
    contexts = [body.get("context") or {}]
    contexts += [e.get("context") or {} for e in body.get("errors") or [] if isinstance(e, dict)]
    for context in contexts:
        if isinstance(context, dict):
            scopes += [str(s) for s in context.get("missingScopes") or [] if str(s) not in scopes]
    return f" (missing scopes: {', '.join(scopes)})" if scopes else ""
