"""Logging in: password, JWT bearer and session id, over plain http:// to a loopback org."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from connectors.base import AuthError, TransientError, Window, secret_values
from connectors.salesforce import JwtAuth, PasswordAuth, SessionAuth
from tests.connectors.contract import records_of
from tests.connectors.salesforce.harness import PASSWORD, TOKEN, USERNAME, SalesforceHarness


def private_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def test_given_password_auth_when_checking_then_soap_login_over_http_loopback(
    org: SalesforceHarness,
) -> None:
    connector = org.connector()
    connector.check()
    paths = [r.path for r in org.app.requests]
    assert paths[0] == "/services/Soap/u/59.0"
    assert paths[1:] == ["/services/data/v59.0/sobjects/Lead/describe"]
    assert connector.usage.by_operation == {"login": 1, "describe": 1}


def test_given_jwt_auth_with_a_key_file_when_pulling_then_token_login_and_data(
    org: SalesforceHarness, tmp_path: Path
) -> None:
    key_file = tmp_path / "leadloop.key"
    key_file.write_text(private_key_pem())
    connector = org.connector(JwtAuth(USERNAME, "3MVG9consumer", private_key_file=str(key_file)))
    assert len(records_of(connector.pull(Window(None, org.end)))) == 300
    assert org.app.calls["token"] == 1 and org.app.calls["login"] == 0


def test_given_jwt_auth_for_another_user_when_logging_in_then_auth_error_without_key(
    org: SalesforceHarness,
) -> None:
    pem = private_key_pem()
    connector = org.connector(JwtAuth("someone@else", "3MVG9consumer", private_key=pem))
    with pytest.raises(AuthError, match="'someone@else'") as caught:
        connector.check()
    assert "PRIVATE KEY" not in str(caught.value)


def test_given_a_session_id_when_pulling_then_no_login_call(org: SalesforceHarness) -> None:
    connector = org.connector(SessionAuth(org.app.issue_session()))
    records_of(connector.pull(Window(None, org.end)))
    assert org.app.calls["login"] == 0 and "login" not in connector.usage.by_operation


def test_given_a_wrong_password_when_checking_then_auth_error_without_secrets(
    org: SalesforceHarness,
) -> None:
    connector = org.connector(PasswordAuth(USERNAME, "wrong-password", TOKEN))
    with pytest.raises(AuthError) as caught:
        connector.check()
    message = str(caught.value)
    assert "INVALID_LOGIN" in message and USERNAME in message
    assert "wrong-password" not in message and TOKEN not in message
    assert org.app.calls["login"] == 1  # refused logins are not retried


def test_given_expired_sessions_when_pulling_with_password_auth_then_relogin_and_go_on(
    org: SalesforceHarness,
) -> None:
    connector = org.connector()
    connector.check()
    org.app.expire_sessions()
    assert len(records_of(connector.pull(Window(None, org.end)))) == 300
    assert connector.usage.by_operation["login"] == 2
    assert connector.usage.calls == sum(org.app.calls.values())


def test_given_expired_sessions_during_bulk_when_pulling_all_then_connector_relogs_in(
    org: SalesforceHarness,
) -> None:
    """Bulk 2.0 requests bypass simple-salesforce's own re-login: the connector rebuilds."""
    connector = org.connector(bulk_threshold=10)
    org.app.before_next("bulk_create", lambda app: app.expire_sessions())
    assert len(records_of(connector.pull_all())) == 300
    assert connector.usage.by_operation["login"] == 2


def test_given_an_expired_session_id_when_pulling_then_auth_error(org: SalesforceHarness) -> None:
    connector = org.connector(SessionAuth(org.app.issue_session()))
    org.app.expire_sessions()
    with pytest.raises(AuthError, match="session expired"):
        records_of(connector.pull(Window(None, org.end)))


def test_given_sessions_that_expire_again_right_after_login_then_auth_error(
    org: SalesforceHarness,
) -> None:
    connector = org.connector()
    org.app.faults.script("query", "invalid_session", times=10)
    with pytest.raises(AuthError, match="still invalid"):
        records_of(connector.pull(Window(None, org.end)))
    # simple-salesforce logs in again 4 times before giving up (api.py _call_salesforce);
    # the connector then rebuilds the client once: 1 + 4 + 1 + 4 logins, all counted.
    assert connector.usage.by_operation["login"] == 10


def test_given_credentials_when_logging_in_then_the_password_travels_only_in_the_soap_body(
    org: SalesforceHarness,
) -> None:
    org.connector().check()
    login, *rest = org.app.requests
    assert f"{PASSWORD}{TOKEN}".encode() in login.body
    assert all(PASSWORD not in str(r.headers) + r.body.decode() for r in rest)


@pytest.mark.parametrize("kind", ["http503", "http502", "drop"])
def test_given_a_password_login_that_fails_on_the_server_side_when_checking_then_retried(
    org: SalesforceHarness, kind: str
) -> None:
    """A 5xx or a dropped login is not an answer about the credentials: the login is retried."""
    org.app.faults.script("login", kind)
    connector = org.connector()
    connector.check()
    assert org.app.calls["login"] == 2
    assert len(org.sleeps.waits) == 1


def test_given_a_jwt_token_endpoint_answering_503_when_pulling_then_retried(
    org: SalesforceHarness,
) -> None:
    org.app.faults.script("token", "http503")
    connector = org.connector(JwtAuth(USERNAME, "3MVG9consumer", private_key=private_key_pem()))
    assert len(records_of(connector.pull(Window(None, org.end)))) == 300
    assert org.app.calls["token"] == 2


def test_given_logins_failing_on_the_server_side_past_the_attempts_then_transient_not_auth(
    org: SalesforceHarness,
) -> None:
    org.app.faults.script("login", "http503", times=4)
    with pytest.raises(TransientError, match="login answered HTTP 503") as caught:
        org.connector().check()
    assert not isinstance(caught.value, AuthError)
    assert f"login as {USERNAME!r}" in str(caught.value)


def test_given_each_auth_mode_then_its_secrets_are_the_credentials_never_the_username() -> None:
    """What the logs mask: a username masked as well would hide who failed to log in."""
    assert secret_values(PasswordAuth(USERNAME, PASSWORD, TOKEN)) == [PASSWORD, TOKEN]
    assert secret_values(JwtAuth(USERNAME, "3MVG9consumer", private_key="KEY")) == ["KEY"]
    assert secret_values(SessionAuth("00D!session")) == ["00D!session"]
