"""The one retry policy for every CRM call (tenacity).

Each connector has a ``classify`` function that turns whatever its client library raised into
a :class:`Decision`. This module owns the loop: retry what is transient (429, 5xx, dropped
connections, row locks) with capped exponential backoff and jitter, honour a server-provided
wait (``Retry-After`` or a rate-limit policy), and never retry what must stop the run (daily
limit) or fail it (auth, schema). Client libraries get no retry logic of their own.
"""

from __future__ import annotations

import enum
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import tenacity

from connectors.base import ConnectorError, FatalError, LimitExhausted, TransientError

log = logging.getLogger(__name__)
T = TypeVar("T")


class Action(enum.Enum):
    RETRY = "retry"
    FAIL = "fail"  # a FatalError for the run
    STOP = "stop"  # daily allowance spent: LimitExhausted, no backoff
    RAISE = "raise"  # not ours to judge (e.g. RecordError): re-raise unchanged


@dataclass(frozen=True)
class Decision:
    action: Action
    reason: str
    wait: float | None = None  # seconds the server asked us to wait, if it said


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try. ``max_wait`` caps every single wait, including a server's Retry-After."""

    attempts: int = 5
    initial_wait: float = 0.5
    max_wait: float = 30.0
    jitter: float = 0.25  # +/- fraction of each computed wait


Classifier = Callable[[BaseException], Decision]


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds form only; dates are ignored)."""
    if not value:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return seconds if seconds >= 0 else None


class _Wait(tenacity.wait.wait_base):
    def __init__(self, policy: RetryPolicy, decisions: dict[int, Decision], rng: random.Random):
        self.policy = policy
        self.decisions = decisions
        self.rng = rng

    def __call__(self, retry_state: tenacity.RetryCallState) -> float:
        decision = self.decisions.get(retry_state.attempt_number)
        backoff = self.policy.initial_wait * 2 ** (retry_state.attempt_number - 1)
        backoff *= 1 + self.rng.uniform(-self.policy.jitter, self.policy.jitter)
        wanted = decision.wait if decision is not None and decision.wait is not None else 0.0
        return min(self.policy.max_wait, max(backoff, wanted))


def call(
    fn: Callable[[], T],
    *,
    classify: Classifier,
    operation: str,
    policy: RetryPolicy | None = None,
    sleep: Callable[[float], None] = time.sleep,
    on_attempt: Callable[[], None] | None = None,
    rng: random.Random | None = None,
) -> T:
    """Run ``fn`` under the retry policy; translate what it raises through ``classify``.

    ``on_attempt`` runs before every attempt (the connectors count API calls there).
    Raises TransientError when retries are exhausted, LimitExhausted on STOP, FatalError on
    FAIL, and the original exception on RAISE.
    """
    policy = policy or RetryPolicy()
    decisions: dict[int, Decision] = {}

    def attempt() -> T:
        if on_attempt is not None:
            on_attempt()
        return fn()

    def should_retry(retry_state: tenacity.RetryCallState) -> bool:
        outcome = retry_state.outcome
        if outcome is None or not outcome.failed:
            return False
        exc = outcome.exception()
        assert exc is not None
        decision = classify(exc)
        decisions[retry_state.attempt_number] = decision
        if decision.action is Action.RETRY:
            log.warning(
                "%s failed (%s), attempt %d of %d",
                operation,
                decision.reason,
                retry_state.attempt_number,
                policy.attempts,
            )
            return True
        return False

    retrying = tenacity.Retrying(
        stop=tenacity.stop_after_attempt(policy.attempts),
        wait=_Wait(policy, decisions, rng or random.Random()),
        retry=should_retry,
        sleep=sleep,
        reraise=True,
    )
    try:
        return retrying(attempt)
    except ConnectorError:
        raise
    except Exception as exc:
        decision = decisions.get(max(decisions, default=0)) or classify(exc)
        raise _translate(exc, decision, operation) from exc


def _translate(exc: Exception, decision: Decision, operation: str) -> Exception:
    if decision.action is Action.RETRY:
        return TransientError(f"{operation}: {decision.reason} (retries exhausted)", decision.wait)
    if decision.action is Action.STOP:
        return LimitExhausted(f"{operation}: {decision.reason}")
    if decision.action is Action.FAIL:
        return FatalError(f"{operation}: {decision.reason}")
    return exc
