"""Schedules and durations: syntax, sign, units and bounds."""

# Messages are kept whole, exactly as users see them, even past the line length.
# ruff: noqa: E501

from __future__ import annotations

from tests.config.cases.base import SF, STORE, Case

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
]
