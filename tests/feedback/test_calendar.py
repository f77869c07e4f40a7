"""Periods: Python's calendar and the store's SQL put every instant in the same period."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Date, Engine, String, cast, literal, select

from sync.feedback.periods import Calendar
from sync.store.calendar import bucket_of, days_between, local_date, period_of
from sync.store.types import UTCDateTime

ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kathmandu", "Australia/Lord_Howe"]
FIRST, LAST = datetime(2024, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)


def test_given_a_berlin_calendar_then_shifts_follow_daylight_saving_time() -> None:
    shifts = Calendar.of("Europe/Berlin").shifts(FIRST, datetime(2025, 1, 1, tzinfo=UTC))

    assert shifts == (
        (FIRST, 3600),
        (datetime(2024, 3, 31, 1, 0, tzinfo=UTC), 7200),
        (datetime(2024, 10, 27, 1, 0, tzinfo=UTC), 3600),
    )


@pytest.mark.parametrize(
    ("kind", "day", "week_start", "expected"),
    [
        ("day", date(2026, 3, 11), 0, "2026-03-11"),
        ("week", date(2026, 3, 11), 0, "2026-03-09"),  # a Wednesday: Monday the 9th
        ("week", date(2026, 3, 11), 6, "2026-03-08"),  # weeks from Sunday
        ("week", date(2026, 3, 8), 6, "2026-03-08"),
        ("week", date(2026, 3, 1), 2, "2026-02-25"),  # weeks from Wednesday, across a month
        ("month", date(2026, 3, 31), 0, "2026-03-01"),
    ],
)
def test_given_a_day_then_its_period_starts_on_the_expected_day(
    kind: str, day: date, week_start: int, expected: str
) -> None:
    calendar = Calendar.of("UTC", week_start)

    assert calendar.start(kind, day).isoformat() == expected  # type: ignore[arg-type]


def test_given_now_then_the_last_complete_period_is_the_one_before_it() -> None:
    calendar = Calendar.of("Europe/Berlin")
    # 23:30 UTC on Sunday 8 March is already Monday 9 March in Berlin
    now = datetime(2026, 3, 8, 23, 30, tzinfo=UTC)

    assert calendar.last_complete("week", now) == "2026-03-02"
    assert calendar.last_complete("month", now) == "2026-02-01"
    assert calendar.last_complete("day", now) == "2026-03-08"
    assert list(calendar.keys("month", "2025-11-01", "2026-02-01")) == [
        "2025-11-01", "2025-12-01", "2026-01-01", "2026-02-01",
    ]  # fmt: skip
    assert calendar.shifted("week", "2026-03-09", -2) == "2026-02-23"
    assert calendar.shifted("month", "2026-01-01", 2) == "2026-03-01"


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    zone=st.sampled_from(ZONES),
    week_start=st.integers(0, 6),
    moments=st.lists(
        # hypothesis takes naive bounds; the instants are read as UTC below
        st.datetimes(datetime(2024, 1, 1), datetime(2026, 12, 31)),  # noqa: DTZ001
        min_size=1,
        max_size=8,
    ),
)
def test_given_any_instants_then_the_store_buckets_them_like_python(
    engine: Engine, zone: str, week_start: int, moments: list[datetime]
) -> None:
    calendar = Calendar.of(zone, week_start)
    shifts = calendar.shifts(FIRST, LAST)
    instants = [m.replace(tzinfo=UTC) for m in moments]
    with engine.connect() as connection:
        for instant in instants:
            moment = literal(instant, UTCDateTime())
            day = local_date(moment, shifts)
            row = connection.execute(
                select(*(period_of(day, kind, week_start) for kind in ("day", "week", "month")))
            ).one()
            expected = tuple(calendar.key(kind, instant) for kind in ("day", "week", "month"))
            assert tuple(row) == expected, instant


def test_given_two_instants_then_days_between_has_fractions(engine: Engine) -> None:
    start = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)
    with engine.connect() as connection:
        days = connection.scalar(
            select(
                days_between(
                    literal(start, UTCDateTime()),
                    literal(start + timedelta(days=2, hours=12), UTCDateTime()),
                )
            )
        )

    assert days == pytest.approx(2.5)


@pytest.mark.parametrize("week_start", [0, 6])
def test_given_days_around_month_starts_then_a_bucket_lies_in_one_week_and_one_month(
    engine: Engine, week_start: int
) -> None:
    calendar = Calendar.of("UTC", week_start)
    days = [date(2026, 2, 20) + timedelta(days=n) for n in range(45)]
    kinds = [("week", "month"), ("month", "week"), ("week",), ("month",), ("day", "week")]
    with engine.connect() as connection:
        for day in days:
            row = connection.execute(
                select(
                    *(cast(bucket_of(literal(day, Date()), k, week_start), String) for k in kinds)
                )
            ).one()
            week, month = calendar.start("week", day), calendar.start("month", day)
            expected = (max(week, month), max(week, month), week, month, day)
            assert tuple(row) == tuple(d.isoformat() for d in expected), day
