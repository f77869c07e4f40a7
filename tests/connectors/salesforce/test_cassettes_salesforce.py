"""Recorded Salesforce exchanges replayed with the network off (vcrpy, record_mode="none").

Each test drives the real connector through one operation and asserts on what it sent (SOQL,
PATCH and Bulk job bodies) and how it read the recorded answers. Record again with
``LEADLOOP_RECORD=1 pytest tests/connectors/salesforce -k cassette`` (docs/recording-cassettes.md):
from the emulator by default, from a real sandbox org when LEADLOOP_SF_USERNAME is set.
"""

from __future__ import annotations

import json
import os
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, cast
from urllib.parse import parse_qs, urlsplit

import pytest
from simple_salesforce.api import SFType
from vcr.cassette import Cassette
from vcr.errors import CannotOverwriteExistingCassetteException
from vcr.request import Request as VcrRequest

from connectors.base import Correction, OutcomeStatus, Window
from connectors.salesforce import (
    JwtAuth,
    PasswordAuth,
    SalesforceConnection,
    SalesforceConnector,
    build_client,
)
from connectors.salesforce.client import Auth
from tests import conftest as guard
from tests.connectors.contract import records_of
from tests.connectors.salesforce.cassettes import (
    CASSETTES,
    PLACEHOLDER,
    make_vcr,
    recording,
    request_scrubber,
    scrub_text,
    use_cassette,
)
from tests.connectors.salesforce.harness import (
    FIELDS,
    NOW,
    PASSWORD,
    TOKEN,
    USERNAME,
    SalesforceHarness,
    Sleeps,
)
from tests.connectors.salesforce.test_auth_salesforce import private_key_pem

WINDOW = Window(NOW - timedelta(days=400), NOW)  # every seeded lead: two REST pages
RECENT = Window(NOW - timedelta(days=20), NOW)  # a few leads, to keep cassettes small
FIRST_ID = "00QDn0000000001MAA"  # the emulator's first seeded lead


@dataclass
class Target:
    """Where this run talks to: the placeholder (replay), the emulator or a real org."""

    instance_url: str
    login_url: str
    auth: Auth
    live_bases: tuple[str, ...] = ()
    harness: SalesforceHarness | None = None

    def connection(self, auth: Auth | None = None) -> SalesforceConnection:
        return SalesforceConnection(
            auth or self.auth, instance_url=self.instance_url, login_url=self.login_url, timeout=30
        )


def _real_org() -> Target | None:
    env = os.environ
    if not (recording() and env.get("LEADLOOP_SF_USERNAME")):
        return None
    instance, login = env["LEADLOOP_SF_INSTANCE_URL"], env["LEADLOOP_SF_LOGIN_URL"]
    auth = PasswordAuth(
        env["LEADLOOP_SF_USERNAME"],
        env["LEADLOOP_SF_PASSWORD"],
        env.get("LEADLOOP_SF_SECURITY_TOKEN", ""),
    )
    return Target(instance, login, auth, (instance, login))


@pytest.fixture
def target(monkeypatch: pytest.MonkeyPatch) -> Iterator[Target]:
    real = _real_org()
    if real is not None:  # an admin re-recording from a sandbox org: lift the loopback guard
        monkeypatch.setattr(socket.socket, "connect", guard._real_connect)
        monkeypatch.setattr(socket, "getaddrinfo", guard._real_getaddrinfo)
        yield real
    elif recording():
        harness = SalesforceHarness()
        yield Target(
            harness.url,
            harness.url,
            PasswordAuth(USERNAME, PASSWORD, TOKEN),
            (harness.url,),
            harness,
        )
        harness.stop()
    else:
        yield Target(PLACEHOLDER, PLACEHOLDER, PasswordAuth(USERNAME, PASSWORD, TOKEN))


def connector_for(target: Target, auth: Auth | None = None, **options: Any) -> SalesforceConnector:
    return SalesforceConnector(
        target.connection(auth), fields=FIELDS, sleep=Sleeps(), query_batch_size=200, **options
    )


def soql_sent(cassette: Cassette) -> list[str]:
    return [parse_qs(urlsplit(r.uri).query)["q"][0] for r in cassette.requests if "q=" in r.uri]


def paths(cassette: Cassette) -> list[str]:
    return [f"{r.method} {urlsplit(r.uri).path}" for r in cassette.requests]


def test_cassette_password_login_and_describe(target: Target) -> None:
    with use_cassette("login_soap.yaml", target.live_bases) as cassette:
        connector = connector_for(target)
        connector.check()
    assert paths(cassette) == [
        "POST /services/Soap/u/59.0",
        "GET /services/data/v59.0/sobjects/Lead/describe",
    ]
    login = cassette.requests[0]
    assert login.headers["SOAPAction"] == "login"
    assert b"<n1:password>REDACTED</n1:password>" in login.body
    assert connector.usage.by_operation == {"login": 1, "describe": 1}


def test_cassette_jwt_bearer_login_then_query(target: Target) -> None:
    auth: Auth = JwtAuth(USERNAME, "3MVG9leadloop", private_key=private_key_pem())
    if target.harness is None and target.live_bases:  # a real org
        env = os.environ
        if not env.get("LEADLOOP_SF_CONSUMER_KEY"):
            pytest.skip("JWT recording from a real org needs LEADLOOP_SF_CONSUMER_KEY")
        auth = JwtAuth(
            env["LEADLOOP_SF_USERNAME"],
            env["LEADLOOP_SF_CONSUMER_KEY"],
            private_key_file=env["LEADLOOP_SF_PRIVATE_KEY_FILE"],
        )
    with use_cassette("login_jwt.yaml", target.live_bases) as cassette:
        records = records_of(connector_for(target, auth).pull_ids([FIRST_ID]))
    token = cassette.requests[0]
    assert urlsplit(token.uri).path == "/services/oauth2/token"
    form = parse_qs(token.body.decode())
    assert form == {
        "grant_type": ["urn:ietf:params:oauth:grant-type:jwt-bearer"],
        "assertion": ["REDACTED"],
    }
    assert [r.record_id for r in records] in ([], [FIRST_ID])  # [] in a real org


def test_cassette_incremental_window_pages_through_query_all(target: Target) -> None:
    with use_cassette("query_paging.yaml", target.live_bases) as cassette:
        pages = list(connector_for(target).pull(WINDOW))
    (soql,) = soql_sent(cassette)
    assert soql.endswith(
        "FROM Lead WHERE SystemModstamp >= 2025-09-28T09:00:00+00:00 AND "
        "SystemModstamp < 2026-11-02T09:00:00+00:00 "
        "ORDER BY SystemModstamp ASC, Id ASC"
    )
    assert "/queryAll/" in cassette.requests[1].uri  # after the login
    more = [p for p in paths(cassette) if re.search(r"/query/[^/]+$", p)]
    assert len(more) == len(pages) - 1 >= 1
    records = records_of(pages)
    assert len(records) == json.loads(cassette.responses[1]["body"]["string"])["totalSize"]


def test_cassette_pull_by_ids_sends_one_in_list(target: Target) -> None:
    with use_cassette("query_ids.yaml", target.live_bases) as cassette:
        connector = connector_for(target)
        first = records_of(connector.pull(RECENT))[:3]
        again = records_of(connector.pull_ids([r.record_id for r in first]))
    quoted = ",".join(f"'{r.record_id}'" for r in first)
    assert soql_sent(cassette)[-1].endswith(
        f"FROM Lead WHERE Id IN ({quoted}) ORDER BY SystemModstamp ASC, Id ASC"
    )
    assert [r.fields for r in again] == [r.fields for r in first]


def test_cassette_collections_patch_with_per_record_errors(target: Target) -> None:
    with use_cassette("collections_patch.yaml", target.live_bases) as cassette:
        connector = connector_for(target)
        live = [
            r
            for r in records_of(connector.pull(RECENT))
            if not r.deleted
            and not r.fields["IsConverted"]
            and r.fields["Nurture_Reason__c"] not in ("Bad Timing", "Not A Real Reason")
        ][:2]
        outcomes = connector.write(
            [
                Correction(
                    "good", live[0].record_id, {"Nurture_Reason__c": "Bad Timing"}, live[0].modstamp
                ),
                Correction(
                    "bad",
                    live[1].record_id,
                    {"Nurture_Reason__c": "Not A Real Reason"},
                    live[1].modstamp,
                ),
            ]
        )
    patch = next(r for r in cassette.requests if r.method == "PATCH")
    assert urlsplit(patch.uri).path == "/services/data/v59.0/composite/sobjects"
    assert json.loads(patch.body) == {
        "allOrNone": False,
        "records": [
            {
                "attributes": {"type": "Lead"},
                "id": live[0].record_id,
                "Nurture_Reason__c": "Bad Timing",
            },
            {
                "attributes": {"type": "Lead"},
                "id": live[1].record_id,
                "Nurture_Reason__c": "Not A Real Reason",
            },
        ],
    }
    assert [o.status for o in outcomes] == [OutcomeStatus.SENT, OutcomeStatus.DEAD]
    assert "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST" in soql_or_body(cassette, "PATCH")


def soql_or_body(cassette: Cassette, method: str) -> str:
    index = next(i for i, r in enumerate(cassette.requests) if r.method == method)
    body = cassette.responses[index]["body"]["string"]
    return body.decode() if isinstance(body, bytes) else str(body)


def test_cassette_bulk2_query_all_job_poll_and_results(target: Target) -> None:
    with use_cassette("bulk2_query.yaml", target.live_bases) as cassette:
        records = records_of(connector_for(target, bulk_threshold=10).pull_all())
    create = next(r for r in cassette.requests if urlsplit(r.uri).path.endswith("/jobs/query"))
    job = json.loads(create.body)
    assert job["operation"] == "queryAll" and job["query"].endswith("FROM Lead")
    assert soql_sent(cassette)[0] == "SELECT COUNT() FROM Lead"
    results = [r for r in cassette.requests if urlsplit(r.uri).path.endswith("/results")]
    assert results and "maxRecords=50000" in results[0].uri
    assert records and all(isinstance(r.fields["IsDeleted"], bool) for r in records)


def test_cassette_get_deleted_sends_percent_encoded_utc_bounds(target: Target) -> None:
    """getDeleted is not used by the connector (queryAll carries deleted rows) but its shape
    is kept for the emulator's fidelity and for a future delete-log reconciliation."""
    with use_cassette("get_deleted.yaml", target.live_bases) as cassette:
        sf = build_client(target.connection())
        lead = cast(SFType, sf.Lead)  # Salesforce.__getattr__ is typed as a union
        answer = lead.deleted(NOW - timedelta(days=14), NOW)
    request = cassette.requests[-1]
    assert urlsplit(request.uri).path == "/services/data/v59.0/sobjects/Lead/deleted/"
    assert "start=2026-10-19T09%3A00%3A00%2B00%3A00" in request.uri
    assert set(answer) >= {"deletedRecords", "earliestDateAvailable", "latestDateCovered"}


SECRET_PATTERNS = [
    re.escape(PASSWORD),
    re.escape(TOKEN),
    r"(?i)bearer\s+\S",
    r"00D\w{12,15}![\w.-]+",
    r"eyJ[\w-]+\.eyJ",
    r"BEGIN [A-Z ]*PRIVATE KEY",
    r"(?im)^\s*authorization:",
    r"\"access_token\":\s*\"(?!REDACTED)",
    r"<sessionId>(?!REDACTED)",
    r"127\.0\.0\.1",
]


def test_cassette_files_hold_no_secrets() -> None:
    files = sorted(CASSETTES.glob("*.yaml"))
    assert {f.name for f in files} >= {
        "login_soap.yaml",
        "login_jwt.yaml",
        "query_paging.yaml",
        "query_ids.yaml",
        "collections_patch.yaml",
        "bulk2_query.yaml",
        "get_deleted.yaml",
    }
    for path in files:
        text = _cassette_text(path)
        for pattern in SECRET_PATTERNS:
            assert not re.search(pattern, text), f"{path.name} matches {pattern!r}"


def _cassette_text(path: Path) -> str:
    """The file plus every body decoded (vcrpy may store bodies as base64 !!binary)."""
    cassette = Cassette.load(path=str(path))
    bodies = [r.body for r in cassette.requests]
    bodies += [resp["body"]["string"] for resp in cassette.responses]
    decoded = [b.decode("utf-8", "replace") if isinstance(b, bytes) else str(b) for b in bodies]
    headers = [json.dumps(dict(r.headers)) for r in cassette.requests]
    headers += [json.dumps(resp["headers"]) for resp in cassette.responses]
    return "\n".join([path.read_text(), *decoded, *headers])


def test_cassette_replay_refuses_a_request_that_was_not_recorded(target: Target) -> None:
    """Replay never falls through to the network: an unrecorded request fails loudly."""
    if recording():
        pytest.skip("only meaningful on replay")
    conn = SalesforceConnection(
        target.auth, instance_url=PLACEHOLDER, login_url=PLACEHOLDER, api_version="58.0"
    )
    with (
        make_vcr().use_cassette("login_soap.yaml"),
        pytest.raises(CannotOverwriteExistingCassetteException),
    ):
        SalesforceConnector(conn, fields=FIELDS).check()


@pytest.mark.parametrize(
    "raw",
    [
        "<n1:password>sandbox-passwordsandbox-token</n1:password>",
        "<sessionId>00DDn0000000001!AQ4AQFakeSessionValue</sessionId>",
        '{"access_token": "00DDn0000000001!AQ4AQFake", "instance_url": "http://127.0.0.1:8765"}',
    ],
)
def test_given_secrets_in_a_body_when_scrubbed_then_the_secret_patterns_no_longer_match(
    raw: str,
) -> None:
    assert any(re.search(p, raw) for p in SECRET_PATTERNS)
    cleaned = scrub_text(raw, ["http://127.0.0.1:8765"])
    assert not any(re.search(p, cleaned) for p in SECRET_PATTERNS)
    assert "REDACTED" in cleaned or PLACEHOLDER in cleaned


def test_given_a_jwt_form_body_when_scrubbed_then_assertion_redacted() -> None:
    request = VcrRequest(
        "POST",
        "http://127.0.0.1:8765/services/oauth2/token",
        b"grant_type=urn%3Ajwt&assertion=eyJhbGciOi.eyJpc3Mi.sig",
        {},
    )
    scrubbed = request_scrubber(["http://127.0.0.1:8765"])(request)
    assert scrubbed.uri == f"{PLACEHOLDER}/services/oauth2/token"
    assert scrubbed.body == b"grant_type=urn%3Ajwt&assertion=REDACTED"
