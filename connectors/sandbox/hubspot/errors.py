"""HubSpot error bodies (https://developers.hubspot.com/docs/api-reference/error-handling).

Shape: ``{"status":"error","message","correlationId","category"[,"subCategory"][,"errors"]
[,"context"]}``. Every response carries ``X-HubSpot-Correlation-Id``; error bodies repeat it.
"""

from __future__ import annotations

import uuid
from typing import Any

from connectors.sandbox.server import Response

BATCH_LIMIT_MESSAGE = (
    "The maximum number of inputs supported in a batch is 100. "
    "Please reduce the number of items and try again"
)
BATCH_HISTORY_LIMIT_MESSAGE = (
    "The maximum number of inputs supported in a batch for property histories is 50. "
    "Please reduce the number of items and try again"
)
MISSING_TOKEN_MESSAGE = (
    "Authentication credentials not found. This API supports OAuth 2.0 authentication and you "
    "can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview"
)
BAD_TOKEN_MESSAGE = (
    "The access token provided is invalid or expired. Check that you are using a valid private "
    "app access token."
)
#: Search refuses to page past the 10,000th result of one query (AWS Glue and Airbyte notes on
#: the HubSpot search limit). The subCategory makes the case easy to recognise.
SEARCH_CAP = 10_000
SEARCH_CAP_SUBCATEGORY = "SEARCH_RESULT_LIMIT_EXCEEDED"
SEARCH_CAP_MESSAGE = (
    "Search results are limited to 10000 per query; paging past result 10000 is not supported. "
    "Narrow the filters (for example restart from the last lastmodifieddate seen)."
)
RATE_LIMIT_MESSAGES = {
    "TEN_SECONDLY_ROLLING": "You have reached your ten_secondly_rolling limit.",
    "SECONDLY": "You have reached your secondly limit.",
    "DAILY": "You have reached your daily limit.",
}


def correlation_id() -> str:
    """A fresh correlation id (a UUID, as HubSpot uses)."""
    return str(uuid.uuid4())


def error_body(category: str, message: str, **extra: Any) -> dict[str, Any]:
    """An error object; ``extra`` adds subCategory, errors, context, policyName ... when given."""
    body: dict[str, Any] = {
        "status": "error",
        "message": message,
        "correlationId": correlation_id(),
        "category": category,
    }
    body.update({key: value for key, value in extra.items() if value is not None})
    return body


def error(status: int, category: str, message: str, **extra: Any) -> Response:
    """A JSON error response with the correlation-id header."""
    body = error_body(category, message, **extra)
    return Response.json(body, status, **{"X-HubSpot-Correlation-Id": body["correlationId"]})


def validation(message: str, **extra: Any) -> Response:
    """400 VALIDATION_ERROR."""
    return error(400, "VALIDATION_ERROR", message, **extra)


def not_found(message: str, **extra: Any) -> Response:
    """404 OBJECT_NOT_FOUND."""
    return error(404, "OBJECT_NOT_FOUND", message, **extra)


def conflict(message: str, **extra: Any) -> Response:
    """409 CONFLICT."""
    return error(409, "CONFLICT", message, **extra)


def unauthorized(missing: bool) -> Response:
    """401 for a missing or a wrong Bearer token."""
    return error(
        401, "INVALID_AUTHENTICATION", MISSING_TOKEN_MESSAGE if missing else BAD_TOKEN_MESSAGE
    )


def rate_limited(policy: str) -> Response:
    """429 for a rate-limit policy: TEN_SECONDLY_ROLLING, SECONDLY or DAILY (no Retry-After).

    The body has no ``category``: ``{"status","message","errorType":"RATE_LIMIT",
    "correlationId","policyName","requestId"}`` as the usage guidelines show it
    (https://developers.hubspot.com/docs/developer-tooling/platform/usage-guidelines, Error
    responses).
    """
    correlation = correlation_id()
    body = {
        "status": "error",
        "message": RATE_LIMIT_MESSAGES[policy],
        "errorType": "RATE_LIMIT",
        "correlationId": correlation,
        "policyName": policy,
        "requestId": correlation_id(),
    }
    return Response.json(body, 429, **{"X-HubSpot-Correlation-Id": correlation})


#: 403 for a call the token's scopes (or the portal's tier) do not cover; shape of the error
#: example in https://developers.hubspot.com/docs/api-reference/error-handling with the
#: scope list in ``errors[].context.missingScopes`` as the reference pages show it.
MISSING_SCOPES_MESSAGE = (
    "This app hasn't been granted all required scopes to make this call. Read more about "
    "required scopes here: https://developers.hubspot.com/scopes."
)


def missing_scopes(scopes: list[str]) -> Response:
    """403 MISSING_SCOPES naming the scopes the call needs."""
    return error(
        403,
        "MISSING_SCOPES",
        MISSING_SCOPES_MESSAGE,
        errors=[
            {
                "message": "One or more of the following scopes are required.",
                "context": {"missingScopes": scopes},
            }
        ],
        links={"scopes": "https://developers.hubspot.com/scopes"},
    )


SERVER_ERRORS = {
    500: ("INTERNAL_ERROR", "internal error"),
    502: ("BAD_GATEWAY", "Bad Gateway: the upstream service did not answer in time"),
    503: ("SERVICE_UNAVAILABLE", "The service is temporarily unavailable"),
    504: ("GATEWAY_TIMEOUT", "Gateway Timeout"),
}


def server_error(status: int) -> Response:
    """A 5xx answer in HubSpot's body shape."""
    category, message = SERVER_ERRORS.get(status, ("INTERNAL_ERROR", f"error {status}"))
    return error(status, category, message)


#: the emulated portal's Hub ID (in fullyQualifiedNames and some error texts)
PORTAL_ID = 4242424


def property_error(name: str, code: str, message: str) -> dict[str, Any]:
    """One entry of a "Property values were not valid" list (the message's JSON, as the
    multi-status example of the error-handling page shows it)."""
    return {
        "isValid": False,
        "message": message,
        "error": code,
        "name": name,
        "localizedErrorMessage": message,
        "portalId": PORTAL_ID,
    }


def error_details(problems: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``errors`` of a refused write: ``{"message","code","context":{"propertyName"}}`` per
    problem (the example error of https://developers.hubspot.com/docs/api-reference/
    error-handling)."""
    return [
        {"message": p["message"], "code": p["error"], "context": {"propertyName": [p["name"]]}}
        for p in problems
    ]
