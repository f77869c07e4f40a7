"""classify(): what each HubSpot failure means, and the retry waits it leads to end to end."""

from __future__ import annotations

import json
from typing import Any

import pytest
import urllib3
from hubspot.crm.contacts import ApiException as ContactsApiException
from hubspot.crm.properties import ApiException as PropertiesApiException
from hubspot.crm.schemas import ApiException as SchemasApiException

from connectors.base import (
    AuthError,
    FatalError,
    Forbidden,
    LimitExhausted,
    SchemaError,
    TransientError,
)
from connectors.hubspot.errors import API_EXCEPTIONS, RefusedInput, classify
from tests.connectors.hubspot.support import EVERYTHING, sandbox


def api_error(
    status: int,
    body: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    cls: Any = ContactsApiException,
) -> Exception:
    """An exception as the generated client raises it (status, raw JSON body, headers)."""
    exc = cls(status=status, reason="x")
    exc.body = json.dumps(body).encode() if body is not None else None
    exc.headers = headers or {}
    return exc


def rate(policy: str) -> dict[str, str]:
    return {
        "status": "error",
        "message": "You have reached your limit.",
        "errorType": "RATE_LIMIT",
        "policyName": policy,
        "category": "RATE_LIMITS",
    }


@pytest.mark.parametrize(
    ("exc", "error", "wait"),
    [
        (api_error(429, rate("TEN_SECONDLY_ROLLING")), TransientError, 10.0),
        (
            api_error(
                429,
                rate("TEN_SECONDLY_ROLLING"),
                {"X-HubSpot-RateLimit-Interval-Milliseconds": "2500"},
            ),
            TransientError,
            2.5,
        ),
        (api_error(429, rate("SECONDLY")), TransientError, 1.0),
        (api_error(429, rate("SECONDLY"), {"Retry-After": "3"}), TransientError, 3.0),
        (api_error(429, rate("DAILY")), LimitExhausted, None),
        (api_error(429, None), TransientError, 10.0),
        (
            api_error(503, {"message": "down", "category": "SERVICE_UNAVAILABLE"}),
            TransientError,
            None,
        ),
        (api_error(502, None, cls=PropertiesApiException), TransientError, None),
        (
            api_error(401, {"message": "expired", "category": "INVALID_AUTHENTICATION"}),
            AuthError,
            None,
        ),
        (api_error(400, {"message": "bad", "category": "VALIDATION_ERROR"}), RefusedInput, None),
        (api_error(404, None, cls=SchemasApiException), FatalError, None),
        (api_error(409, {"message": "exists", "category": "CONFLICT"}), FatalError, None),
        (api_error(0), FatalError, None),  # TLS failure inside the generated rest.py
        (urllib3.exceptions.ProtocolError("Connection aborted."), TransientError, None),
        (
            urllib3.exceptions.ReadTimeoutError(None, "/", "timed out"),  # type: ignore[arg-type]
            TransientError,
            None,
        ),
        (ConnectionResetError(), TransientError, None),
        (LimitExhausted("our own budget guard"), None, None),  # ours: not re-judged
        (KeyError("surprise"), None, None),
    ],
)
def test_given_a_failure_when_classified_then_this_decision(
    exc: Exception, error: type[Exception] | None, wait: float | None
) -> None:
    decision = classify(exc)
    assert (decision.error, decision.wait) == (error, wait)


def test_given_a_403_with_missing_scopes_then_fail_naming_them() -> None:
    body = {
        "status": "error",
        "message": "This app hasn't been granted all required scopes",
        "category": "MISSING_SCOPES",
        "errors": [
            {"message": "missing", "context": {"missingScopes": ["crm.objects.contacts.write"]}}
        ],
    }
    decision = classify(api_error(403, body))
    assert decision.error is Forbidden
    assert "missing scopes: crm.objects.contacts.write" in decision.reason


def test_given_the_search_cap_400_then_fail_as_a_paging_bug() -> None:
    body = {
        "message": "past 10000",
        "category": "VALIDATION_ERROR",
        "subCategory": "SEARCH_RESULT_LIMIT_EXCEEDED",
    }
    assert classify(api_error(400, body)).reason.startswith("search result cap hit")


def test_given_the_sub_packages_then_each_has_its_own_exception_class_in_the_tuple() -> None:
    assert len(set(API_EXCEPTIONS)) == len(API_EXCEPTIONS) == 4


@pytest.mark.parametrize(
    ("kind", "waits"),
    [
        ("rate_limit_ten_secondly", [10.0]),
        ("rate_limit_secondly", [1.0]),
        ("http503", [0.1]),
        ("drop", [0.1]),
    ],
)
def test_given_a_transient_search_failure_when_pulling_then_waited_and_retried(
    kind: str, waits: list[float]
) -> None:
    with sandbox(contacts=20) as box:
        box.emulator.faults.script("search", kind)
        connector = box.connector()
        records = [r for page in connector.pull(EVERYTHING) for r in page.records]
        assert len(records) == 20
        assert box.sleeps.waits == waits
        assert connector.usage.by_operation["search"] == 2 == box.calls("search")


def test_given_the_daily_limit_429_when_pulling_then_stop_without_retry() -> None:
    with sandbox(contacts=20) as box:
        box.emulator.faults.script("search", "rate_limit_daily")
        connector = box.connector()
        with pytest.raises(LimitExhausted, match="daily"):
            list(connector.pull(EVERYTHING))
        assert box.sleeps.waits == [] and box.calls("search") == 1


def test_given_503s_beyond_the_attempts_then_transient_error() -> None:
    with sandbox(contacts=5) as box:
        box.emulator.faults.script("search", "http503", times=4)
        with pytest.raises(TransientError, match="gave up after 4 attempts"):
            list(box.connector().pull(EVERYTHING))
        assert box.calls("search") == 4


def test_given_a_wrong_token_when_checking_then_auth_error_without_the_token() -> None:
    with sandbox() as box:
        secret = "pat-na1-0123456789-secret"
        with pytest.raises(AuthError) as caught:
            box.connector(token=secret).check()
        message = str(caught.value)
        assert "401" in message or "INVALID_AUTHENTICATION" in message
        assert secret not in message and secret not in repr(caught.value)
        assert caught.value.__cause__ is not None
        assert secret not in str(caught.value.__cause__)


def test_given_a_mapped_property_the_account_lacks_when_checking_then_schema_error() -> None:
    with sandbox() as box, pytest.raises(SchemaError, match="no_such_property"):
        box.connector(properties=["email", "no_such_property"]).check()
