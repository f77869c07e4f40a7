"""Rate limits, injected faults and operation names of the HubSpot emulator."""

from __future__ import annotations

from typing import Any

import pytest
import urllib3
from hubspot.crm.contacts import ApiException, PublicObjectSearchRequest
from hubspot.crm.contacts.exceptions import ServiceException, UnauthorizedException

from connectors.sandbox.hubspot import HubSpotEmulator
from connectors.sandbox.hubspot.ratelimit import LimitClock, RateLimiter
from connectors.sandbox.server import Request
from tests.sandbox.hubspot_support import START, FrozenClock, Running, error_body, running

RATE_HEADERS = (
    "X-HubSpot-RateLimit-Max",
    "X-HubSpot-RateLimit-Remaining",
    "X-HubSpot-RateLimit-Interval-Milliseconds",
    "X-HubSpot-RateLimit-Daily",
    "X-HubSpot-RateLimit-Daily-Remaining",
    "X-HubSpot-RateLimit-Secondly",
    "X-HubSpot-RateLimit-Secondly-Remaining",
)
#: rate windows follow the frozen clock alone, so these specs never depend on real time
FROZEN: dict[str, Any] = {"limits_follow_real_time": False}


def _list(hs: Running) -> Any:
    return hs.client.crm.contacts.basic_api.get_page_with_http_info(limit=1)


def _search(hs: Running) -> Any:
    return hs.client.crm.contacts.search_api.do_search_with_http_info(
        PublicObjectSearchRequest(filter_groups=[], limit=1)
    )


def test_given_starter_tier_when_100_calls_in_10_s_then_the_101st_is_refused_until_it_rolls() -> (
    None
):
    with running(tier="starter", **FROZEN) as hs:
        for _ in range(100):
            _list(hs)
            hs.clock.advance(milliseconds=10)
        with pytest.raises(ApiException) as caught:
            _list(hs)
        body = error_body(caught.value)
        assert caught.value.status == 429
        assert body == {
            "status": "error",
            "message": "You have reached your ten_secondly_rolling limit.",
            "errorType": "RATE_LIMIT",
            "correlationId": body["correlationId"],
            "policyName": "TEN_SECONDLY_ROLLING",
            "requestId": body["requestId"],
        }
        assert "Retry-After" not in caught.value.headers
        assert caught.value.headers["X-HubSpot-RateLimit-Remaining"] == "0"
        hs.clock.advance(seconds=9)  # the first call is now more than 10 s old
        _, status, headers = _list(hs)
        assert status == 200
        assert headers["X-HubSpot-RateLimit-Remaining"] == "0"


def test_given_the_default_professional_portal_then_headers_count_down_from_190_and_650000() -> (
    None
):
    with running(**FROZEN) as hs:
        _, _, first = _list(hs)
        _, _, second = _list(hs)
        assert {h: first[h] for h in RATE_HEADERS} == {
            "X-HubSpot-RateLimit-Max": "190",
            "X-HubSpot-RateLimit-Remaining": "189",
            "X-HubSpot-RateLimit-Interval-Milliseconds": "10000",
            "X-HubSpot-RateLimit-Daily": "650000",
            "X-HubSpot-RateLimit-Daily-Remaining": "649999",
            "X-HubSpot-RateLimit-Secondly": "19",
            "X-HubSpot-RateLimit-Secondly-Remaining": "18",
        }
        assert second["X-HubSpot-RateLimit-Remaining"] == "188"


@pytest.mark.parametrize(
    ("tier", "daily"),
    [("starter", "250000"), ("professional", "650000"), ("enterprise", "1000000")],
)
def test_given_a_tier_then_its_daily_allowance_is_announced(tier: str, daily: str) -> None:
    with running(tier=tier, **FROZEN) as hs:
        assert _list(hs)[2]["X-HubSpot-RateLimit-Daily"] == daily


def test_given_five_searches_in_one_second_then_the_sixth_gets_the_secondly_limit() -> None:
    with running(**FROZEN) as hs:
        for _ in range(5):
            _, status, headers = _search(hs)
            assert status == 200
            assert not any(h in headers for h in RATE_HEADERS)
        with pytest.raises(ApiException) as caught:
            _search(hs)
        assert error_body(caught.value)["policyName"] == "SECONDLY"
        assert error_body(caught.value)["message"] == "You have reached your secondly limit."
        _list(hs)  # the ten-secondly bucket is separate
        hs.clock.advance(seconds=1)
        assert _search(hs)[1] == 200


def test_given_the_daily_allowance_is_used_then_daily_429_until_midnight() -> None:
    with running(daily_limit=3, **FROZEN) as hs:
        for _ in range(3):
            _list(hs)
        with pytest.raises(ApiException) as caught:
            _search(hs)
        assert error_body(caught.value)["policyName"] == "DAILY"
        hs.clock.advance(days=1)
        assert _list(hs)[2]["X-HubSpot-RateLimit-Daily-Remaining"] == "2"


def test_given_the_rate_limit_quirk_off_then_no_429_and_no_headers() -> None:
    with running(tier="starter", quirks_off={"rate_limits"}, **FROZEN) as hs:
        for _ in range(120):
            _, status, headers = _list(hs)
        assert status == 200 and "X-HubSpot-RateLimit-Max" not in headers


def test_given_a_frozen_clock_and_real_time_passing_then_the_windows_roll_with_real_time() -> None:
    elapsed = [0.0]
    clock = LimitClock(FrozenClock(START), elapsed=lambda: elapsed[0])
    limiter = RateLimiter("professional")
    for _ in range(5):
        assert limiter.admit(clock.now_ms(), search=True) is None
    assert limiter.admit(clock.now_ms(), search=True) == "SECONDLY"
    elapsed[0] = 1.0  # a client really slept one second; the emulator's clock did not move
    assert limiter.admit(clock.now_ms(), search=True) is None


@pytest.mark.parametrize(
    ("kind", "status", "category", "policy"),
    [
        ("rate_limit_ten_secondly", 429, None, "TEN_SECONDLY_ROLLING"),
        ("rate_limit_secondly", 429, None, "SECONDLY"),
        ("rate_limit_daily", 429, None, "DAILY"),
        ("unauthorized", 401, "INVALID_AUTHENTICATION", None),
        ("http500", 500, "INTERNAL_ERROR", None),
        ("http502", 502, "BAD_GATEWAY", None),
        ("http503", 503, "SERVICE_UNAVAILABLE", None),
        ("http504", 504, "GATEWAY_TIMEOUT", None),
    ],
)
def test_given_a_scripted_fault_then_the_next_call_fails_in_hubspots_shape_once(
    kind: str, status: int, category: str | None, policy: str | None
) -> None:
    with running(contacts=2) as hs:
        hs.emulator.faults.script("contacts_list", kind)
        with pytest.raises(ApiException) as caught:
            _list(hs)
        body = error_body(caught.value)
        assert (caught.value.status, body.get("category"), body.get("policyName")) == (
            status,
            category,
            policy,
        )
        assert body["status"] == "error" and body["correlationId"]
        expected_type = {401: UnauthorizedException}.get(status, ServiceException)
        if status != 429:
            assert isinstance(caught.value, expected_type)
        assert _list(hs)[1] == 200


def test_given_faults_in_the_constructor_then_they_apply_to_their_operation() -> None:
    with running(faults={"script": [{"op": "search", "kind": "http503"}]}) as hs:
        _list(hs)
        with pytest.raises(ServiceException):
            _search(hs)
        assert _search(hs)[1] == 200


def test_given_a_drop_fault_then_the_connection_closes_without_an_answer() -> None:
    with running() as hs:
        hs.emulator.faults.script("contacts_list", "drop")
        pool = urllib3.PoolManager(retries=False)
        headers = {"Authorization": f"Bearer {hs.emulator.access_token}"}
        with pytest.raises(urllib3.exceptions.ProtocolError):
            pool.request("GET", hs.url + "/crm/v3/objects/contacts", headers=headers)
        assert (
            pool.request("GET", hs.url + "/crm/v3/objects/contacts", headers=headers).status == 200
        )


@pytest.mark.parametrize(
    ("method", "path", "operation"),
    [
        ("GET", "/crm/v3/objects/contacts", "contacts_list"),
        ("POST", "/crm/v3/objects/contacts", "contacts_create"),
        ("GET", "/crm/v3/objects/contacts/1001", "contacts_get"),
        ("PATCH", "/crm/v3/objects/contacts/1001", "contacts_update"),
        ("DELETE", "/crm/v3/objects/contacts/1001", "contacts_archive"),
        ("POST", "/crm/v3/objects/contacts/batch/read", "batch_read"),
        ("POST", "/crm/v3/objects/contacts/batch/create", "batch_create"),
        ("POST", "/crm/v3/objects/contacts/batch/update", "batch_update"),
        ("POST", "/crm/v3/objects/contacts/batch/upsert", "batch_upsert"),
        ("POST", "/crm/v3/objects/contacts/batch/archive", "batch_archive"),
        ("POST", "/crm/v3/objects/contacts/search", "search"),
        ("POST", "/crm/v3/objects/2-12345/search", "search"),
        ("GET", "/crm/v3/properties/contacts", "properties_read"),
        ("PATCH", "/crm/v3/properties/contacts/nurture_reason", "properties_write"),
        ("POST", "/crm/v3/properties/contacts/groups", "properties_write"),
        ("GET", "/crm-object-schemas/v3/schemas", "schemas"),
        ("POST", "/crm/v3/schemas", "schemas"),
        ("POST", "/crm/v3/objects/p_feedback/batch/upsert", "objects"),
        ("GET", "/crm/v3/objects/0-1/1001", "contacts_get"),
    ],
)
def test_given_a_request_then_its_operation_name_is_stable(
    method: str, path: str, operation: str
) -> None:
    emulator = HubSpotEmulator(contacts=0, now=FrozenClock(START))
    assert emulator.operation(Request(method, path, {}, {}, b"")) == operation
