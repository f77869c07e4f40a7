"""Injected faults and the daily API allowance, as simple-salesforce experiences them."""

from __future__ import annotations

import time

import pytest
import requests
from simple_salesforce.exceptions import (
    SalesforceExpiredSession,
    SalesforceGeneralError,
    SalesforceMalformedRequest,
    SalesforceRefusedRequest,
)

from connectors.sandbox.salesforce import SalesforceEmulator
from connectors.sandbox.server import Server
from tests.sandbox.salesforce_support import collection, first_error, login, running

COUNT = "SELECT COUNT() FROM Lead"
LIMIT_EXCEEDED = [
    {"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}
]


def test_given_a_small_allowance_when_it_is_spent_then_403_request_limit_exceeded() -> None:
    with running(plain=1, daily_limit=3) as sandbox:
        sandbox.sf.query(COUNT)
        limits = sandbox.sf.limits()
        sandbox.sf.query(COUNT)
        with pytest.raises(SalesforceRefusedRequest) as caught:
            sandbox.sf.query(COUNT)
    assert limits["DailyApiRequests"] == {"Max": 3, "Remaining": 1}
    assert sandbox.sf.api_usage["api-usage"].used == 3
    assert caught.value.status == 403 and caught.value.content == LIMIT_EXCEEDED


def test_given_an_injected_invalid_session_when_credentialed_then_relogin_and_success() -> None:
    with running(plain=2) as sandbox:
        sandbox.emulator.faults.script("query", "invalid_session")
        assert sandbox.sf.query(COUNT)["totalSize"] == 2
    assert sandbox.emulator.calls["login"] == 2


def test_given_an_injected_invalid_session_when_session_only_then_expired_session() -> None:
    with running() as sandbox:
        sandbox.emulator.faults.script("limits", "invalid_session")
        sf = login(sandbox.url)
        sf._salesforce_login_partial = None  # as if built from a session id alone
        with pytest.raises(SalesforceExpiredSession) as caught:
            sf.limits()
    assert first_error(caught.value) == {
        "message": "Session expired or invalid",
        "errorCode": "INVALID_SESSION_ID",
    }


def test_given_an_injected_request_limit_when_querying_then_refused() -> None:
    with running() as sandbox:
        sandbox.emulator.faults.script("query", "request_limit")
        with pytest.raises(SalesforceRefusedRequest) as caught:
            sandbox.sf.query(COUNT)
    assert caught.value.content == LIMIT_EXCEEDED


def test_given_a_row_lock_when_patching_a_collection_then_per_record_errors_nothing_written() -> (
    None
):
    with running(plain=2) as sandbox:
        ids = [row["Id"] for row in sandbox.emulator.records()]
        before = sandbox.emulator.records()
        sandbox.emulator.faults.script("composite", "unable_to_lock_row")
        results = sandbox.sf.restful(
            "composite/sobjects",
            method="PATCH",
            json=collection(*({"id": lead_id, "Title": "x"} for lead_id in ids)),
        )
        after = sandbox.emulator.records()
    assert [r["errors"][0]["statusCode"] for r in results] == ["UNABLE_TO_LOCK_ROW"] * 2
    assert [r["id"] for r in results] == ids
    assert after == before


@pytest.mark.parametrize(
    ("op", "call", "error", "status"),
    [
        (
            "sobject_patch",
            lambda sf, i: sf.Lead.update(i, {"Title": "x"}),
            SalesforceMalformedRequest,
            400,
        ),
        ("query", lambda sf, i: sf.query(COUNT), SalesforceGeneralError, 503),
    ],
)
def test_given_a_row_lock_elsewhere_when_calling_then_an_error_naming_it(
    op: str, call: object, error: type[Exception], status: int
) -> None:
    with running(plain=1) as sandbox:
        sandbox.emulator.faults.script(op, "unable_to_lock_row")
        with pytest.raises(error) as caught:
            call(sandbox.sf, sandbox.lead()["Id"])  # type: ignore[operator]
    assert getattr(caught.value, "status", None) == status
    assert first_error(caught.value)["errorCode"] == "UNABLE_TO_LOCK_ROW"


@pytest.mark.parametrize("kind", ["http500", "http503"])
def test_given_a_server_error_when_querying_then_general_error_and_next_call_works(
    kind: str,
) -> None:
    with running(plain=1) as sandbox:
        sandbox.emulator.faults.script("query", kind)
        with pytest.raises(SalesforceGeneralError) as caught:
            sandbox.sf.query(COUNT)
        assert sandbox.sf.query(COUNT)["totalSize"] == 1
    assert caught.value.status == int(kind[4:])


def test_given_a_dropped_connection_when_querying_then_connection_error() -> None:
    with running() as sandbox:
        sandbox.emulator.faults.script("query", "drop")
        with pytest.raises(requests.ConnectionError):
            sandbox.sf.query(COUNT)


def test_given_a_slow_fault_when_querying_then_the_answer_is_late_but_right() -> None:
    with running(plain=1) as sandbox:
        sandbox.emulator.faults.script("query", "slow", delay=0.3)
        started = time.perf_counter()
        assert sandbox.sf.query(COUNT)["totalSize"] == 1
    assert time.perf_counter() - started >= 0.3


def test_given_faults_in_the_constructor_when_logging_in_then_they_fire() -> None:
    emulator = SalesforceEmulator(
        leads=0,
        faults={"script": [{"op": "token", "kind": "x"}, {"op": "login", "kind": "http503"}]},
    )
    with Server(emulator) as server, pytest.raises(Exception, match="503"):
        login(server.url)
    assert emulator.faults.pending() == 1  # the token fault waits for a token request


def test_given_faults_posted_to_the_control_api_when_querying_then_they_fire() -> None:
    with running(plain=1) as sandbox:
        response = requests.post(
            f"{sandbox.url}/__sandbox__/faults",
            json={"script": [{"op": "query", "kind": "request_limit"}]},
            timeout=5,
        )
        assert response.status_code == 200
        with pytest.raises(SalesforceRefusedRequest):
            sandbox.sf.query(COUNT)
        assert sandbox.sf.query(COUNT)["totalSize"] == 1
