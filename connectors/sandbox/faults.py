"""Fault injection for the emulators: scripted sequences and random rates, per operation.

A plan is loaded from a dict (YAML config, CLI flags or the ``/__sandbox__/faults`` control
endpoint)::

    {"seed": 7,
     "script": [{"op": "query", "kind": "http503"}, {"op": "query", "kind": "drop"}],
     "rates":  [{"op": "*", "kind": "http500", "rate": 0.02},
                {"op": "composite", "kind": "unable_to_lock_row", "rate": 0.1}],
     "delay":  0.0}

Scripted faults fire first, in order, each once, on the next request whose operation matches
(``*`` matches every operation). Rates draw from a seeded RNG so runs are repeatable. A kind is
a name the emulator understands (``http500``, ``drop``, ``slow``, ``invalid_session``,
``request_limit``, ``rate_limit``...); ``slow`` and any fault with ``delay`` sleep first;
``retry_after`` (seconds) adds a ``Retry-After`` header to the injected answer.

Kinds every emulator shares (:mod:`.server`), odd answers that are not the documented shape:
``empty`` (200, no body), ``html`` (200, an HTML page: a proxy or a portal), ``redirect`` (302
to such a page), ``truncated`` (the real answer cut in half: the request WAS served) and
``missing:KEY`` (the real answer without its top-level ``KEY``, e.g. ``missing:results``).
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Fault:
    op: str
    kind: str
    rate: float = 1.0
    delay: float = 0.0
    retry_after: float | None = None

    def matches(self, op: str) -> bool:
        return self.op in ("*", op)


class FaultPlan:
    """Thread-safe set of scripted and random faults."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._script: list[Fault] = []
        self._rates: list[Fault] = []
        self._rng = random.Random(0)

    def load(self, spec: dict[str, Any]) -> None:
        """Replace the plan with ``spec`` (see the module docstring)."""
        script = [_fault(item) for item in spec.get("script", [])]
        rates = [_fault(item) for item in spec.get("rates", [])]
        with self._lock:
            self._script = script
            self._rates = rates
            self._rng = random.Random(spec.get("seed", 0))

    def script(
        self,
        op: str,
        kind: str,
        times: int = 1,
        delay: float = 0.0,
        retry_after: float | None = None,
    ) -> None:
        """Append ``times`` scripted faults of ``kind`` for operation ``op``."""
        with self._lock:
            self._script.extend(
                Fault(op, kind, delay=delay, retry_after=retry_after) for _ in range(times)
            )

    def rate(
        self,
        op: str,
        kind: str,
        rate: float,
        delay: float = 0.0,
        retry_after: float | None = None,
    ) -> None:
        with self._lock:
            self._rates.append(Fault(op, kind, rate, delay, retry_after))

    def clear(self) -> None:
        with self._lock:
            self._script.clear()
            self._rates.clear()

    def pending(self) -> int:
        with self._lock:
            return len(self._script)

    def pick(self, op: str) -> Fault | None:
        """The fault to inject into the next request of operation ``op``, if any."""
        with self._lock:
            for index, fault in enumerate(self._script):
                if fault.matches(op):
                    return self._script.pop(index)
            for fault in self._rates:
                if fault.matches(op) and self._rng.random() < fault.rate:
                    return fault
        return None


def _fault(item: dict[str, Any]) -> Fault:
    if "kind" not in item:
        raise ValueError(f"fault {item!r} has no 'kind'")
    return Fault(
        op=str(item.get("op", "*")),
        kind=str(item["kind"]),
        rate=float(item.get("rate", 1.0)),
        delay=float(item.get("delay", 0.0)),
        retry_after=None if item.get("retry_after") is None else float(item["retry_after"]),
    )
