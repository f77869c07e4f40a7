"""HubSpotConnection, build_client and the metered calls: host, CA bundle, no urllib3 retries,
call counts and the API budget share."""

from __future__ import annotations

import pytest

from connectors.base import LimitExhausted, TransientError
from connectors.http import RetryPolicy
from connectors.hubspot import HubSpotConnection, build_client
from tests.connectors.hubspot.support import EVERYTHING, sandbox


def test_given_a_connection_when_printed_then_the_token_is_not_shown() -> None:
    conn = HubSpotConnection("pat-na1-secret", base_url="http://127.0.0.1:9")
    assert "pat-na1-secret" not in repr(conn) and "pat-na1-secret" not in str(conn)


@pytest.mark.parametrize(
    ("options", "problem"),
    [
        ({"base_url": "api.hubapi.com"}, "not an absolute URL"),
        ({"access_token": ""}, "access_token is empty"),
        ({"timeout": 0}, "timeout must be positive"),
    ],
)
def test_given_bad_settings_when_building_a_connection_then_a_clear_error(
    options: dict[str, object], problem: str
) -> None:
    settings: dict[str, object] = {
        "access_token": "t",
        "base_url": "https://api.hubapi.com",
        **options,
    }
    with pytest.raises(ValueError, match=problem):
        HubSpotConnection(**settings)  # type: ignore[arg-type]


def test_given_a_base_url_and_ca_bundle_when_building_then_every_api_uses_them() -> None:
    conn = HubSpotConnection("t", base_url="https://proxy.example:8443/", ca_bundle="/ca.pem")
    client = build_client(conn)
    for api in (client.crm.contacts.search_api, client.crm.properties.core_api):
        config = api.api_client.configuration
        assert config.host == "https://proxy.example:8443"
        assert config.ssl_ca_cert == "/ca.pem"
        assert config.retries is False
    assert client.config["base_url"] == "https://proxy.example:8443"  # for api_request()


def test_given_a_dropped_connection_and_one_attempt_then_urllib3_did_not_retry_it() -> None:
    with sandbox(contacts=5) as box:
        box.emulator.faults.script("search", "drop")
        connector = box.connector(retry=RetryPolicy(attempts=1))
        with pytest.raises(TransientError, match="connection dropped"):
            list(connector.pull(EVERYTHING))
        assert box.calls("search") == 1 == connector.usage.by_operation["search"]


def test_given_a_pull_and_a_write_then_every_request_is_counted_by_operation() -> None:
    with sandbox(contacts=30) as box:
        connector = box.connector()
        connector.check()
        list(connector.pull(EVERYTHING))
        (contact,) = box.live_ids()[:1]
        connector.write([box.correction(contact, {"reason_detail": "x"})])
        assert connector.usage.by_operation == {
            "properties_read": 1,
            "contacts_list": 1,
            "search": 1,
            "batch_read": 1,
            "batch_update": 1,
        }
        assert connector.usage.calls == box.calls()


def test_given_daily_headers_when_calling_then_usage_reports_the_allowance() -> None:
    with sandbox(contacts=5, rate_limits=True, daily_limit=1_000) as box:
        connector = box.connector()
        connector.check()
        assert (connector.usage.used, connector.usage.limit) == (1, 1_000)


def test_given_a_budget_share_when_a_pull_needs_more_then_stopped_before_exceeding_it() -> None:
    with sandbox(rate_limits=True, daily_limit=1_000) as box:
        box.emulator.add_contacts(2_500)  # 13 searches of 200
        connector = box.connector(api_budget_share=0.01)  # 10 calls of 1,000
        connector.check()
        with pytest.raises(LimitExhausted, match="budget spent"):
            list(connector.pull(EVERYTHING))
        assert connector.usage.calls == 10 == box.calls()


def test_given_a_budget_share_outside_0_1_then_refused() -> None:
    with sandbox() as box, pytest.raises(ValueError, match="api_budget_share"):
        box.connector(api_budget_share=1.5)


def test_given_closing_then_pools_are_released_and_the_connector_can_be_used_again() -> None:
    with sandbox(contacts=3) as box:
        connector = box.connector()
        list(connector.pull(EVERYTHING))
        connector.close()
        assert len([r for p in connector.pull(EVERYTHING) for r in p.records]) == 3
