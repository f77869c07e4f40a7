"""classify() over real failures from the emulator, and how the connector acts on them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceRefusedRequest

from connectors.base import FatalError, Forbidden, LimitExhausted, TransientError, Window
from connectors.http import judge
from connectors.salesforce import SalesforceConnection, SessionAuth, build_client
from connectors.salesforce.errors import classify
from tests.connectors.contract import records_of
from tests.connectors.salesforce.harness import SalesforceHarness

QUERY = "SELECT Id FROM Lead"


def failure(
    org: SalesforceHarness,
    call: Callable[[Salesforce], Any],
    conn: SalesforceConnection | None = None,
) -> BaseException:
    """What the real client raised for ``call`` against the emulator."""
    sf = build_client(
        conn
        or SalesforceConnection(
            SessionAuth(org.app.issue_session()), instance_url=org.url, timeout=0.3
        )
    )
    with pytest.raises(Exception) as caught:
        call(sf)
    return caught.value


def query(sf: Salesforce) -> Any:
    return sf.query(QUERY)


FAULTS = [  # (fault kind injected on the query, expected action, words in the reason)
    ("invalid_session", None, "session expired"),
    ("request_limit", LimitExhausted, "REQUEST_LIMIT_EXCEEDED"),
    ("unable_to_lock_row", TransientError, "UNABLE_TO_LOCK_ROW"),
    ("http500", TransientError, "HTTP 500"),
    ("http503", TransientError, "HTTP 503"),
    ("drop", TransientError, "connection dropped"),
]


@pytest.mark.parametrize(("kind", "error", "reason"), FAULTS)
def test_given_an_injected_fault_when_classifying_the_real_exception_then_decision(
    org: SalesforceHarness, kind: str, error: type[Exception] | None, reason: str
) -> None:
    org.app.faults.script("query", kind)
    decision = classify(failure(org, query))
    assert decision.error is error
    assert reason in decision.reason


@pytest.mark.parametrize(
    ("call", "reason"),
    [
        (lambda sf: sf.query("SELEC Id FROM Lead"), "MALFORMED_QUERY"),
        (lambda sf: sf.query("SELECT Nope__c FROM Lead"), "INVALID_FIELD"),
        (lambda sf: sf.restful("sobjects/Nope/describe"), "not found"),
    ],
)
def test_given_a_request_that_cannot_succeed_when_classifying_then_fail(
    org: SalesforceHarness, call: Callable[[Salesforce], Any], reason: str
) -> None:
    decision = classify(failure(org, call))
    assert decision.error is FatalError
    assert reason in decision.reason


def test_given_a_slow_answer_past_the_timeout_when_classifying_then_retry(
    org: SalesforceHarness,
) -> None:
    org.app.faults.script("query", "slow", delay=1.0)
    exc = failure(org, query)
    assert isinstance(exc, requests.Timeout)
    assert classify(exc).error is TransientError


def test_given_https_to_a_plain_http_server_when_classifying_then_fail_not_retry(
    org: SalesforceHarness,
) -> None:
    conn = SalesforceConnection(SessionAuth("x"), instance_url=org.url.replace("http:", "https:"))
    decision = classify(failure(org, query, conn))
    assert decision.error is FatalError and "TLS" in decision.reason


def test_given_another_403_when_classifying_then_fail() -> None:
    """The emulator has no permission model; the body is Salesforce's for a missing right."""
    body = [{"message": "Insufficient privileges", "errorCode": "INSUFFICIENT_ACCESS"}]
    # simple-salesforce annotates ``content`` as bytes but stores the parsed JSON list.
    exc = SalesforceRefusedRequest("https://x/services/data/v59.0/query/", 403, "query", body)  # type: ignore[arg-type]
    assert classify(exc).error is Forbidden  # a FatalError the caller can tell apart


def test_given_our_own_limit_error_when_judged_then_raised_unchanged() -> None:
    assert judge(LimitExhausted("budget"), classify).error is None


# -- the connector acting on decisions -------------------------------------------------------


def test_given_a_503_then_a_drop_when_pulling_then_retried_with_backoff(
    org: SalesforceHarness,
) -> None:
    org.fault("http503")
    org.fault("drop")
    assert len(records_of(org.connector().pull(Window(None, org.end)))) == 300
    assert len(org.sleeps.waits) == 2


def test_given_a_persistent_503_when_pulling_then_transient_error_after_the_attempts(
    org: SalesforceHarness,
) -> None:
    org.fault("http503", times=10)
    with pytest.raises(TransientError, match="gave up after 4 attempts"):
        records_of(org.connector().pull(Window(None, org.end)))
    assert len(org.sleeps.waits) == 3  # 4 attempts


def test_given_request_limit_exceeded_when_pulling_then_stop_without_backoff(
    org: SalesforceHarness,
) -> None:
    org.fault("request_limit")
    with pytest.raises(LimitExhausted, match="REQUEST_LIMIT_EXCEEDED"):
        records_of(org.connector().pull(Window(None, org.end)))
    assert org.sleeps.waits == []
    assert org.app.calls["query"] == 1


def test_given_an_unknown_field_without_check_when_pulling_then_fatal_without_retry(
    org: SalesforceHarness,
) -> None:
    with pytest.raises(FatalError, match="INVALID_FIELD"):
        records_of(org.connector(fields=["Nope__c"]).pull(Window(None, org.end)))
    assert org.sleeps.waits == []


def test_given_a_budget_share_when_pulling_repeatedly_then_the_share_is_never_exceeded() -> None:
    org = SalesforceHarness(daily_limit=40)
    try:
        connector = org.connector(api_budget_share=0.5)
        with pytest.raises(LimitExhausted, match=r"may use 20, api_budget_share 0\.5"):
            for _ in range(40):
                records_of(connector.pull(Window(None, org.end)))
        assert org.app.api_used == 20
        assert org.sleeps.waits == []
    finally:
        org.stop()


def test_given_the_org_allowance_spent_when_pulling_then_stop_before_exceeding_it() -> None:
    org = SalesforceHarness(daily_limit=3)
    try:
        connector = org.connector()
        records_of(connector.pull(Window(None, org.end)))  # 2 query pages: used 2 of 3
        with pytest.raises(LimitExhausted, match="3 of the daily 3 calls used"):
            records_of(connector.pull(Window(None, org.end)))
        assert (connector.usage.used, connector.usage.limit) == (3, 3)
        # the third call used the last unit; the fourth was never sent
        assert org.app.calls["query"] + org.app.calls["query_more"] == 3
    finally:
        org.stop()
