"""Logins and sessions of the Salesforce emulator, through the real simple-salesforce client."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceAuthenticationFailed, SalesforceExpiredSession

from tests.sandbox.salesforce_support import (
    PASSWORD,
    TOKEN,
    USERNAME,
    Running,
    login,
    routing_session,
    running,
)

COUNT = "SELECT COUNT() FROM Lead"
SOAP_LOGIN = (
    '<?xml version="1.0" encoding="utf-8" ?><env:Envelope '
    'xmlns:env="http://schemas.xmlsoap.org/soap/envelope/" '
    'xmlns:urn="urn:partner.soap.sforce.com"><env:Body><n1:login '
    f'xmlns:n1="urn:partner.soap.sforce.com"><n1:username>{USERNAME}</n1:username>'
    f"<n1:password>{PASSWORD}{TOKEN}</n1:password></n1:login></env:Body></env:Envelope>"
)


@pytest.fixture(scope="module")
def private_key() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def jwt_client(url: str, private_key: str, username: str = USERNAME) -> Salesforce:
    return Salesforce(
        username=username,
        consumer_key="3MVG9-leadloop",
        privatekey=private_key,
        domain="login",
        session=routing_session(url),
    )


def test_given_good_credentials_when_logging_in_over_soap_then_queries_reach_the_emulator() -> None:
    with running(plain=3) as sandbox:
        assert sandbox.sf.sf_instance == sandbox.url.removeprefix("http://")
        assert sandbox.sf.query(COUNT)["totalSize"] == 3
        assert sandbox.emulator.calls["login"] == 1


def test_given_a_wrong_password_when_logging_in_then_invalid_login_soap_fault() -> None:
    with running() as sandbox, pytest.raises(SalesforceAuthenticationFailed) as caught:
        login(sandbox.url, password="wrong")
    assert caught.value.code == "INVALID_LOGIN"
    assert "Invalid username, password, security token" in str(caught.value.auth_message)


def test_given_a_password_without_token_when_logging_in_then_refused() -> None:
    with running() as sandbox, pytest.raises(SalesforceAuthenticationFailed):
        login(sandbox.url, security_token="")


def test_given_a_signed_jwt_when_requesting_a_token_then_the_instance_is_the_emulator(
    private_key: str,
) -> None:
    with running(plain=2) as sandbox:
        sf = jwt_client(sandbox.url, private_key)
        assert sf.sf_instance == sandbox.url.removeprefix("http://")
        assert sf.query(COUNT)["totalSize"] == 2
        assert sandbox.emulator.calls["token"] == 1


def test_given_a_jwt_for_another_user_when_requesting_a_token_then_invalid_grant(
    private_key: str,
) -> None:
    with running() as sandbox, pytest.raises(SalesforceAuthenticationFailed) as caught:
        jwt_client(sandbox.url, private_key, username="someone@else.example")
    assert caught.value.code == "invalid_grant"


def test_given_an_expired_jwt_when_requesting_a_token_then_invalid_grant(private_key: str) -> None:
    with running() as sandbox:
        # simple-salesforce signs exp = real now + 3 min; the emulator's clock is an hour on
        sandbox.clock.now = datetime.now(UTC) + timedelta(hours=1)
        with pytest.raises(SalesforceAuthenticationFailed) as caught:
            jwt_client(sandbox.url, private_key)
    assert caught.value.auth_message == "expired authorization code"


def test_given_an_issued_session_id_when_used_directly_then_it_works_until_expired() -> None:
    with running(plain=1) as sandbox:
        sf = Salesforce(
            session_id=sandbox.emulator.issue_session(),
            instance_url=sandbox.url.replace("http://", "https://"),
            session=sandbox.session(),
        )
        assert sf.query(COUNT)["totalSize"] == 1
        sandbox.emulator.expire_sessions()
        with pytest.raises(SalesforceExpiredSession) as caught:
            sf.query(COUNT)
    assert caught.value.status == 401
    assert caught.value.content == [
        {"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}
    ]


def session_client(sandbox: Running) -> Salesforce:
    return Salesforce(
        session_id=sandbox.emulator.issue_session(),
        instance_url=sandbox.url.replace("http://", "https://"),
        session=sandbox.session(),
    )


def test_given_a_session_used_within_its_timeout_when_used_again_then_its_timer_restarts() -> None:
    with running(plain=1) as sandbox:
        sf = session_client(sandbox)
        for _ in range(3):  # 5 h 57 min in all, never 2 hours idle
            sandbox.clock.advance(hours=1, minutes=59)
            assert sf.query(COUNT)["totalSize"] == 1


def test_given_a_call_in_the_first_half_of_the_timeout_then_it_does_not_extend_the_session() -> (
    None
):
    """Salesforce counts activity only from halfway through the timeout: a call 50 minutes
    after the login leaves the session's end at 2 hours after the login."""
    with running(plain=1) as sandbox:
        sf = session_client(sandbox)
        sandbox.clock.advance(minutes=50)
        assert sf.query(COUNT)["totalSize"] == 1
        sandbox.clock.advance(minutes=71)  # 1 h 11 min after that call, 2 h 1 min after login
        with pytest.raises(SalesforceExpiredSession):
            sf.query(COUNT)


def test_given_a_session_idle_for_the_orgs_timeout_when_used_then_invalid_session_id() -> None:
    with running(plain=1) as sandbox:
        sf = session_client(sandbox)
        sandbox.clock.advance(hours=2)
        with pytest.raises(SalesforceExpiredSession):
            sf.query(COUNT)


def test_given_an_org_timeout_of_30_minutes_when_logging_in_then_the_answer_says_1800_seconds() -> (
    None
):
    with running(plain=1) as sandbox:
        sandbox.emulator.set_session_timeout(timedelta(minutes=30))
        answer = sandbox.session().post(
            f"{sandbox.url}/services/Soap/u/59.0",
            data=SOAP_LOGIN,
            headers={"content-type": "text/xml", "SOAPAction": "login"},
        )
    assert "<sessionSecondsValid>1800</sessionSecondsValid>" in answer.text


def test_given_the_session_timeout_quirk_off_when_a_session_idles_a_day_then_it_still_works() -> (
    None
):
    with running(plain=1, quirks_off={"session_timeout"}) as sandbox:
        sf = session_client(sandbox)
        sandbox.clock.advance(days=1)
        assert sf.query(COUNT)["totalSize"] == 1


def test_given_expired_sessions_when_a_credentialed_client_queries_then_it_logs_in_again() -> None:
    with running(plain=1) as sandbox:
        assert sandbox.emulator.expire_sessions() == 1
        assert sandbox.sf.query(COUNT)["totalSize"] == 1
        assert sandbox.emulator.calls["login"] == 2


def test_given_no_authorization_header_when_querying_then_401() -> None:
    with running() as sandbox:
        response = sandbox.session().get(f"{sandbox.url}/services/data/v59.0/limits")
    assert response.status_code == 401
    assert response.json()[0]["errorCode"] == "INVALID_SESSION_ID"
