"""Schedules and durations: syntax, sign, units and bounds."""

# Messages are kept whole, exactly as users see them, even past the line length.
# ruff: noqa: E501

from __future__ import annotations

from tests.config.cases.base import CFG, HS, SF, STORE, Case

DELETIONS = "Salesforce keeps deleted leads readable for 15 days; use cron for rarer runs"

DURATION_CASES: list[Case] = [
    Case(
        "bad_cron",
        STORE + "sources:\n" + SF + '    schedule: {cron: "*/15 * * *"}\n',
        (
            "{dir}/leadloop.yaml:9: sources.sf.schedule.cron: invalid cron expression '*/15 * * *': Wrong number of fields; got 4, expected 5",
        ),
    ),
    Case(
        "negative_interval",
        STORE + "sources:\n" + SF + "    schedule: {every: -5m}\n",
        (
            "{dir}/leadloop.yaml:9: sources.sf.schedule.every: duration must not be negative, got '-5m'",
        ),
    ),
    Case(
        "zero_interval",
        STORE + "sources:\n" + SF + "    schedule: {every: 0s}\n",
        ("{dir}/leadloop.yaml:9: sources.sf.schedule.every: must be longer than zero",),
    ),
    Case(
        "every_and_cron",
        STORE + "sources:\n" + SF + '    schedule: {every: 5m, cron: "0 * * * *"}\n',
        (
            "{dir}/leadloop.yaml:9: sources.sf.schedule: give exactly one of 'every' (e.g. 15m) or 'cron'",
        ),
    ),
    Case(
        "bad_duration",
        STORE + "policies:\n  require_reason:\n    grace_period: 3 days\n",
        (
            "{dir}/leadloop.yaml:5: policies.require_reason.grace_period: '3 days' is not a duration such as 30s, 15m, 3d, 2w or 1h30m",
        ),
    ),
    Case(
        "huge_bare_interval",
        STORE + "sources:\n" + SF + "    schedule: {every: 99999999999999}\n",
        (
            f"{CFG}:9: sources.sf.schedule.every: 99999999999999 has no unit: write 99999999999999s for 99999999999999 seconds or 99999999999999m for 99999999999999 minutes (units: s, m, h, d, w)",
        ),
    ),
    Case(
        "huge_interval",
        STORE + "sources:\n" + SF + "    schedule: {every: 99999999999999s}\n",
        (f"{CFG}:9: sources.sf.schedule.every: at most 1w ({DELETIONS})",),
    ),
    Case(
        "interval_over_a_week",
        STORE + "sources:\n" + SF + "    schedule: {every: 8d}\n",
        (f"{CFG}:9: sources.sf.schedule.every: at most 1w ({DELETIONS})",),
    ),
    Case(
        "huge_lookback",
        STORE + "sources:\n" + HS + "    pull: {lookback: 99999999999999d}\n",
        (
            f"{CFG}:8: sources.hs.pull.lookback: at most 1d (re-read on every cycle; resync --since reaches further)",
        ),
    ),
    Case(
        "zero_deletions_every",
        STORE + "sources:\n" + HS + "    pull: {deletions_every: 0s}\n",
        (f"{CFG}:8: sources.hs.pull.deletions_every: must be longer than zero",),
    ),
    Case(
        "huge_deletions_every",
        STORE + "sources:\n" + HS + "    pull: {deletions_every: 60d}\n",
        (
            f"{CFG}:8: sources.hs.pull.deletions_every: at most 30d (HubSpot lists archived contacts for 90 days, then they are gone)",
        ),
    ),
    Case(
        "deletions_every_on_salesforce",
        STORE + "sources:\n" + SF + "    pull: {deletions_every: 1h}\n",
        (
            f"{CFG}:9: sources.sf.pull.deletions_every: unknown key 'deletions_every' (expected one of: lookback, page_size, bulk_threshold)",
        ),
    ),
    Case(
        "huge_timeout",
        STORE
        + "sources:\n"
        + SF.replace("      auth:", "      timeout: 99999999999999h\n      auth:"),
        (
            f"{CFG}:8: sources.sf.connection.timeout: at most 10m (per HTTP request; a slower answer is a stuck call)",
        ),
    ),
    Case(
        "huge_grace_period",
        STORE + "policies:\n  require_reason: {grace_period: 99999999999999w}\n",
        (f"{CFG}:4: policies.require_reason.grace_period: at most 3650d (about ten years)",),
    ),
    Case(
        "huge_min_age",
        STORE + "policies:\n  low_score_nurture: {min_age: 99999999999999999999d}\n",
        (f"{CFG}:4: policies.low_score_nurture.min_age: at most 3650d (about ten years)",),
    ),
    Case(
        "duration_of_400_digits",
        STORE + "policies:\n  require_reason: {grace_period: " + "9" * 400 + "s}\n",
        (f"{CFG}:4: policies.require_reason.grace_period: at most 3650d (about ten years)",),
    ),
    Case(
        "interval_without_unit",
        STORE + "sources:\n" + SF + "    schedule: {every: 15}\n",
        (
            f"{CFG}:9: sources.sf.schedule.every: 15 has no unit: write 15s for 15 seconds or 15m for 15 minutes (units: s, m, h, d, w)",
        ),
    ),
    Case(
        "timeout_without_unit",
        STORE + "sources:\n" + HS + "      timeout: 2.5\n",
        (
            f"{CFG}:8: sources.hs.connection.timeout: 2.5 has no unit: write 2.5s for 2.5 seconds or 2.5m for 2.5 minutes (units: s, m, h, d, w)",
        ),
    ),
    Case(
        "grace_period_without_unit_in_quotes",
        STORE + 'policies:\n  require_reason: {grace_period: "3"}\n',
        (
            f"{CFG}:4: policies.require_reason.grace_period: 3 has no unit: write 3s for 3 seconds or 3m for 3 minutes (units: s, m, h, d, w)",
        ),
    ),
    Case(
        "zero_timeout",
        STORE + "sources:\n" + HS + "      timeout: 0\n",
        (f"{CFG}:8: sources.hs.connection.timeout: must be longer than zero",),
    ),
    Case(
        "max_percent_written_as_a_fraction",
        STORE + "limits:\n  change_budget: {max_percent: 0.1}\n",
        (
            f"{CFG}:4: limits.change_budget.max_percent: 0.1 is ambiguous: 0.1 % of the leads, or the fraction 0.1 (= 10 %); write 10 for 10 %, or '0.1%' for 0.1 %",
        ),
    ),
    Case(
        "max_percent_of_one",
        STORE + "limits:\n  change_budget: {max_percent: 1}\n",
        (
            f"{CFG}:4: limits.change_budget.max_percent: 1 is ambiguous: 1 % of the leads, or the fraction 1 (= 100 %); write 100 for 100 %, or '1%' for 1 %",
        ),
    ),
    Case(
        "max_percent_over_100",
        STORE + "limits:\n  change_budget: {max_percent: 150%}\n",
        (f"{CFG}:4: limits.change_budget.max_percent: Input should be less than or equal to 100",),
    ),
]
