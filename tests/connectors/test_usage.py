"""ApiUsage across the runs of a connector a daemon keeps."""

from __future__ import annotations

import pytest

from connectors.base import ApiUsage, LimitExhausted


def test_given_a_reported_allowance_when_a_new_run_starts_then_calls_restart_guard_holds() -> None:
    usage = ApiUsage(share=0.5)
    usage.count("login")
    usage.count("query")
    usage.report(used=30, limit=100)
    usage.count("query", 10)  # answers without a count (e.g. HubSpot search)
    usage.observe_clock("Sun, 22 Nov 2026 12:00:00 GMT")

    usage.start_run()

    assert (usage.calls, usage.by_operation, usage.server_time) == (0, {}, None)
    assert (usage.used, usage.limit, usage.estimated_used()) == (30, 100, 40)
    usage.count("query", 10)
    with pytest.raises(LimitExhausted, match="50 of the daily 100 calls used"):
        usage.check("query")  # a 51st would pass this source's half of the allowance


def test_given_the_share_spent_when_a_new_run_starts_then_one_call_may_learn_the_count_again() -> (
    None
):
    """The CRM's allowance renews (Salesforce: a rolling 24 hours; HubSpot: at midnight), and
    only an answer says so: a kept connector that stayed refused would stop every cycle until
    the daemon restarts."""
    usage = ApiUsage(share=0.5)
    usage.report(used=50, limit=100)
    with pytest.raises(LimitExhausted):
        usage.check("query")

    usage.start_run()

    usage.check("query")  # goes out: its answer tells the count of the day
    usage.count("query")
    usage.report(used=3, limit=100)  # a new day
    usage.check("query")
    usage.report(used=50, limit=100)  # or still spent: refused again from the answer on
    with pytest.raises(LimitExhausted):
        usage.check("query")


def test_given_a_new_run_when_the_crm_reports_again_then_its_count_replaces_the_estimate() -> None:
    usage = ApiUsage()
    usage.report(used=10, limit=100)
    usage.count("query", 3)
    usage.start_run()
    usage.count("query")

    usage.report(used=15, limit=100)
    usage.count("query")

    assert (usage.calls, usage.estimated_used()) == (2, 16)
