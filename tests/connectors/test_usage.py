"""ApiUsage across the runs of a connector a daemon keeps."""

from __future__ import annotations

import pytest

from connectors.base import ApiUsage, LimitExhausted


def test_given_a_reported_allowance_when_a_new_run_starts_then_calls_restart_guard_holds() -> None:
    usage = ApiUsage(share=0.5)
    usage.count("login")
    usage.count("query")
    usage.report(used=40, limit=100)
    usage.count("query", 10)  # answers without a count (e.g. HubSpot search)
    usage.observe_clock("Sun, 22 Nov 2026 12:00:00 GMT")

    usage.start_run()

    assert (usage.calls, usage.by_operation, usage.server_time) == (0, {}, None)
    assert (usage.used, usage.limit, usage.estimated_used()) == (40, 100, 50)
    with pytest.raises(LimitExhausted, match="50 of the daily 100 calls used"):
        usage.check("query")  # a 51st would pass this source's half of the allowance


def test_given_a_new_run_when_the_crm_reports_again_then_its_count_replaces_the_estimate() -> None:
    usage = ApiUsage()
    usage.report(used=10, limit=100)
    usage.count("query", 3)
    usage.start_run()
    usage.count("query")

    usage.report(used=15, limit=100)
    usage.count("query")

    assert (usage.calls, usage.estimated_used()) == (2, 16)
