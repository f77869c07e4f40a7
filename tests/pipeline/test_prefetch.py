"""prefetch(): the next page is read while the current one is stored; errors and early stops
travel between the two threads intact."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Generator, Iterator
from typing import cast

import pytest

from sync.pipeline.prefetch import prefetch


class Broken(Exception):
    pass


def failing_after(items: list[int], error: Exception) -> Iterator[int]:
    yield from items
    raise error


def prefetchers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "leadloop-prefetch"]


def test_given_items_when_prefetched_then_all_arrive_in_order() -> None:
    assert list(prefetch(iter(range(50)), depth=3)) == list(range(50))


def test_given_an_error_after_two_items_then_the_consumer_gets_both_then_that_error() -> None:
    error = Broken("page 3 failed")
    got = []

    with pytest.raises(Broken) as raised:
        for item in prefetch(failing_after([1, 2], error)):
            got.append(item)

    assert got == [1, 2] and raised.value is error
    assert prefetchers() == []


def test_given_a_consumer_that_stops_early_then_the_producer_stops_too() -> None:
    produced = itertools.count()
    endless = (next(produced) for _ in itertools.count())
    pages = cast(Generator[int], prefetch(endless, depth=2))

    assert next(pages) == 0
    pages.close()  # the consumer stops (e.g. the run failed storing page one)

    assert prefetchers() == []
    assert next(produced) <= 5  # read ahead by at most the queue's depth, then stopped


def test_given_a_lock_when_prefetching_then_each_read_holds_it_and_the_consumer_can_take_it() -> (
    None
):
    """The consumer builds what needs the connector (the policy context) under the same lock
    the producer holds while it reads a page: the two never use the connector at once."""
    lock = threading.Lock()
    held_while_reading: list[bool] = []

    def pages() -> Iterator[int]:
        for page in range(20):
            held_while_reading.append(lock.locked())
            yield page

    read = []
    for page in prefetch(pages(), depth=2, lock=lock):
        with lock:  # the producer is between two reads now
            read.append(page)

    assert read == list(range(20))
    assert held_while_reading == [True] * 20
