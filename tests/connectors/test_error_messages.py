"""Every connector error names the source kind, the host, the call and the cause, and never a
secret: what an admin reads when a sync fails."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import requests
import urllib3

from connectors.base import ConnectorError, FatalError, TransientError
from connectors.http import RetryPolicy, connection_cause, parse_retry_after
from connectors.hubspot import HubSpotConnection, HubSpotConnector
from connectors.salesforce import PasswordAuth, SalesforceConnection, SalesforceConnector
from tests.connectors.hubspot.support import TOKEN, sandbox
from tests.connectors.salesforce.harness import PASSWORD, USERNAME, SalesforceHarness
from tests.connectors.salesforce.harness import TOKEN as SF_TOKEN

QUICK = RetryPolicy(attempts=2, initial_wait=0.0, jitter=0.0)


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    yield port


def no_sleep(_seconds: float) -> None:
    return None


def hubspot(url: str, token: str = TOKEN) -> HubSpotConnector:
    conn = HubSpotConnection(token, base_url=url, timeout=0.5)
    return HubSpotConnector(conn, properties=["email"], retry=QUICK, sleep=no_sleep)


def salesforce(url: str, password: str = PASSWORD) -> SalesforceConnector:
    auth = PasswordAuth(USERNAME, password, SF_TOKEN)
    conn = SalesforceConnection(auth, instance_url=url, login_url=url, timeout=0.5)
    return SalesforceConnector(conn, fields=["Status"], retry=QUICK, sleep=no_sleep)


def failure(run: object) -> ConnectorError:
    with pytest.raises(ConnectorError) as caught:
        run()  # type: ignore[operator]
    return caught.value


def test_given_nothing_listening_when_checking_hubspot_then_host_call_and_refusal_named(
    closed_port: int,
) -> None:
    error = failure(hubspot(f"http://127.0.0.1:{closed_port}").check)
    assert isinstance(error, TransientError)
    assert str(error) == (
        f"HubSpot at 127.0.0.1:{closed_port}: properties_read failed: connection refused "
        "(gave up after 2 attempts)"
    )


def test_given_nothing_listening_when_logging_in_to_salesforce_then_user_host_and_refusal(
    closed_port: int,
) -> None:
    error = failure(salesforce(f"http://127.0.0.1:{closed_port}").check)
    assert str(error) == (
        f"Salesforce login as {USERNAME!r} at 127.0.0.1:{closed_port}: login failed: "
        "connection refused (gave up after 2 attempts)"
    )


def test_given_https_to_a_plain_http_emulator_then_a_tls_failure_not_retried() -> None:
    with sandbox() as box:
        error = failure(hubspot(box.url.replace("http:", "https:")).check)
        assert isinstance(error, FatalError)
        assert "properties_read failed: TLS handshake failed" in str(error)
        assert box.calls() == 0


def test_given_a_slow_answer_then_the_timeout_is_named() -> None:
    with sandbox() as box:
        box.emulator.faults.script("properties_read", "slow", times=2, delay=1.0)
        error = failure(hubspot(box.url).check)
        assert "properties_read failed: timed out waiting for the answer" in str(error)


def test_given_a_wrong_password_then_the_user_is_named_and_no_secret_shown() -> None:
    org = SalesforceHarness(leads=0)
    try:
        error = failure(salesforce(org.url, password="wrong-password").check)
    finally:
        org.stop()
    message = str(error)
    assert f"Salesforce login as {USERNAME!r} at 127.0.0.1:" in message
    assert "INVALID_LOGIN" in message
    assert "wrong-password" not in message and SF_TOKEN not in message


def test_given_a_refused_query_then_the_status_and_the_apis_own_code_and_message() -> None:
    org = SalesforceHarness(leads=0)
    try:
        connector = salesforce(org.url)
        error = failure(lambda: connector._api("query", lambda sf: sf.query("SELEC Id")))
    finally:
        org.stop()
    assert str(error).startswith(f"Salesforce at {org.url.removeprefix('http://')}: query failed:")
    assert "HTTP 400: MALFORMED_QUERY:" in str(error)


def test_given_a_wrong_token_then_hubspots_status_category_and_message_without_the_token() -> None:
    secret = "pat-na1-00000000-not-the-token"
    with sandbox() as box:
        error = failure(hubspot(box.url, token=secret).check)
    assert "properties_read failed: access token rejected (HTTP 401:" in str(error)
    assert secret not in str(error)


def test_given_a_name_that_does_not_resolve_then_dns_failure_is_named() -> None:
    lookup = socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    inner = urllib3.exceptions.NameResolutionError("crm.example", None, lookup)  # type: ignore[arg-type]
    exc = requests.ConnectionError(urllib3.exceptions.MaxRetryError(None, "/", inner))  # type: ignore[arg-type]
    assert connection_cause(exc) == "DNS lookup failed"


def test_given_retry_after_as_an_http_date_then_seconds_until_it() -> None:
    now = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    assert parse_retry_after("Mon, 02 Nov 2026 09:00:07 GMT", now) == 7.0
    assert parse_retry_after("Mon, 02 Nov 2026 08:59:00 GMT", now) == 0.0
    assert parse_retry_after("3", now) == 3.0
    assert parse_retry_after("soon", now) is None


def test_given_a_write_failing_past_the_attempts_then_the_message_names_host_once() -> None:
    with sandbox() as box:
        (contact,) = box.emulator.add_contacts(1)
        box.emulator.faults.script("batch_update", "http503", times=2)
        connector = hubspot(box.url)
        error = failure(lambda: connector.write([box.correction(contact, {"email": "a@b.c"})]))
    host = box.url.removeprefix("http://")
    assert str(error).startswith(f"HubSpot at {host}: write failed: batch_update failed: HTTP 503")
    assert str(error).count(host) == 1
