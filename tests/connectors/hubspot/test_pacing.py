"""The token bucket that paces HubSpot searches, on a fake clock (nothing sleeps)."""

from __future__ import annotations

from itertools import pairwise

import pytest

from connectors.hubspot.pacing import SEARCH_LIMIT, TokenBucket, search_bucket


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def bucket(rate: float, capacity: float = 1.0) -> tuple[TokenBucket, FakeTime]:
    time = FakeTime()
    return TokenBucket(rate, capacity, clock=lambda: time.now, sleep=time.sleep), time


def test_given_a_full_bucket_when_taking_its_capacity_then_nothing_waits() -> None:
    pacer, time = bucket(rate=2.0, capacity=3.0)
    assert [pacer.take() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert pacer.take() == pytest.approx(0.5) and time.slept == [pytest.approx(0.5)]


def test_given_an_idle_pause_when_taking_again_then_the_pause_refilled_the_bucket() -> None:
    pacer, time = bucket(rate=4.0)
    pacer.take()
    time.now += 0.1
    assert pacer.take() == pytest.approx(0.15)  # 0.25 s between two, 0.1 s already passed
    time.now += 10.0
    assert pacer.take() == 0.0  # never more than the capacity saved up


def test_given_the_search_bucket_when_sending_then_no_second_holds_more_than_the_limit() -> None:
    time = FakeTime()
    pacer = search_bucket(clock=lambda: time.now, sleep=time.sleep)
    sent = []
    for _ in range(30):
        pacer.take()
        sent.append(time.now)
    busiest = max(sum(1 for t in sent if start <= t < start + 1.0) for start in sent)
    assert busiest <= SEARCH_LIMIT
    assert min(b - a for a, b in pairwise(sent)) > 1 / SEARCH_LIMIT


def test_given_a_rate_of_zero_when_building_then_refused() -> None:
    with pytest.raises(ValueError, match="rate > 0"):
        TokenBucket(0.0)
