"""Connection settings: secrets never printed, base URLs honoured exactly, lazy construction."""

from __future__ import annotations

import pytest

from connectors.salesforce import (
    JwtAuth,
    PasswordAuth,
    SalesforceConnection,
    SalesforceConnector,
    SessionAuth,
)
from connectors.salesforce.client import build_session


def test_given_auth_dataclasses_when_printed_then_no_secret_appears() -> None:
    auths: list[PasswordAuth | JwtAuth | SessionAuth] = [
        PasswordAuth("ana@example.com", "hunter2", "tok3n"),
        JwtAuth("ana@example.com", "3MVGkey", private_key="-----BEGIN PRIVATE KEY-----x"),
        SessionAuth("00Dxx!AQ4AQsession"),
    ]
    for auth in auths:
        conn = SalesforceConnection(auth, instance_url="https://acme.my.salesforce.com")
        text = f"{conn} {conn!r} {auth}"
        for secret in ("hunter2", "tok3n", "BEGIN PRIVATE", "AQ4AQsession"):
            assert secret not in text


@pytest.mark.parametrize(
    ("login_url", "domain"),
    [
        ("https://login.salesforce.com", "login"),
        ("https://test.salesforce.com", "test"),
        ("https://acme.my.salesforce.com", "acme.my"),
        ("http://127.0.0.1:8765", "login"),
    ],
)
def test_given_a_login_url_when_deriving_the_library_domain_then_matches_its_host(
    login_url: str, domain: str
) -> None:
    conn = SalesforceConnection(PasswordAuth("u", "p"), login_url=login_url)
    assert conn.login_domain == domain


def test_given_loopback_urls_when_building_the_session_then_https_requests_go_there() -> None:
    conn = SalesforceConnection(
        PasswordAuth("u", "p"),
        instance_url="http://127.0.0.1:9001",
        login_url="http://127.0.0.1:9000",
        timeout=7.5,
    )
    session = build_session(conn)
    assert (
        session.rewrite("https://login.salesforce.com/services/Soap/u/59.0")
        == "http://127.0.0.1:9000/services/Soap/u/59.0"
    )
    assert (
        session.rewrite("https://127.0.0.1:9001/services/data/v59.0/query/?q=x")
        == "http://127.0.0.1:9001/services/data/v59.0/query/?q=x"
    )
    assert session.rewrite("https://elsewhere.example/x") == "https://elsewhere.example/x"
    assert session.timeout == 7.5


def test_given_a_ca_bundle_when_building_the_session_then_it_verifies_with_it() -> None:
    conn = SalesforceConnection(
        SessionAuth("s"), instance_url="https://10.0.0.5:8443", ca_bundle="/etc/leadloop/ca.pem"
    )
    assert build_session(conn).verify == "/etc/leadloop/ca.pem"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"auth": SessionAuth("s")}, "needs instance_url"),
        (
            {"auth": PasswordAuth("u", "p"), "instance_url": "acme.my.salesforce.com"},
            "not an absolute URL",
        ),
        ({"auth": PasswordAuth("u", "p"), "api_version": "v59.0"}, "a number like"),
    ],
)
def test_given_bad_settings_when_constructing_then_clear_error(
    kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        SalesforceConnection(**kwargs)  # type: ignore[arg-type]


def test_given_jwt_auth_without_a_key_when_constructing_then_refused() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        JwtAuth("u", "key")


def test_given_a_connector_when_constructed_then_no_network_and_budget_validated() -> None:
    """Construction must not log in: the address below would refuse any connection."""
    conn = SalesforceConnection(PasswordAuth("u", "p"), login_url="http://127.0.0.1:9")
    connector = SalesforceConnector(conn, fields=["Status"])
    assert connector.usage.calls == 0
    with pytest.raises(ValueError, match="api_budget_share"):
        SalesforceConnector(conn, fields=["Status"], api_budget_share=0)
