"""Read the next page from the CRM while the current one is being stored.

A pull alternates network waits (the CRM) with CPU and database work (ours); overlapping the
two hides most of the network time. One producer thread, a small bounded queue, errors
re-raised in the consumer, and the producer stopped when the consumer stops early.
"""

from __future__ import annotations

import contextlib
import contextvars
import queue
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import Any, TypeVar

T = TypeVar("T")
_DONE = object()


def prefetch(
    items: Iterator[T], depth: int = 2, lock: AbstractContextManager[Any] | None = None
) -> Iterator[T]:
    """Yield from ``items``, fetching up to ``depth`` items ahead in a background thread;
    each fetch holds ``lock`` (when given), so the consumer can use what ``items`` reads
    from (a connector) between two fetches by taking the same lock."""
    guard = lock if lock is not None else contextlib.nullcontext()
    slots: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(value: object) -> bool:
        while not stop.is_set():
            try:
                slots.put(value, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            while True:
                with guard:
                    item = next(items, _DONE)
                if item is _DONE:
                    break
                if not put(item):
                    return
            put(_DONE)
        except BaseException as exc:  # handed to the consumer, raised there
            put(exc)

    # the producer logs with the consumer's context (run id, source, stage)
    run = contextvars.copy_context().run
    worker = threading.Thread(target=run, args=(produce,), name="leadloop-prefetch", daemon=True)
    worker.start()
    try:
        while True:
            value = slots.get()
            if value is _DONE:
                return
            if isinstance(value, BaseException):
                raise value
            yield value  # type: ignore[misc]
    finally:
        stop.set()
        worker.join(timeout=30)
