"""The one retry policy for every CRM call (tenacity).

Each connector has a ``classify`` function that turns whatever its client library raised into
a :class:`Decision`: the :class:`~connectors.base.ConnectorError` class to raise and why. This
module owns the loop: retry what is transient (a :class:`~connectors.base.TransientError`
decision: 429, 5xx, dropped connections, row locks, answers without their documented shape)
with capped exponential backoff and jitter, honour a server-provided wait (``Retry-After`` or
a rate-limit policy), and raise anything else at once: LimitExhausted stops the run, FatalError
(AuthError, SchemaError) fails it. Client libraries get no retry logic of their own.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TypeVar

import tenacity

from connectors.base import ConnectorError, FatalError, LimitExhausted, TransientError

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class Decision:
    """What a failure means: the error class to raise (None: re-raise the original unchanged,
    it is not ours to judge), why, and how long the server asked us to wait (if it said)."""

    error: type[ConnectorError] | None
    reason: str
    wait: float | None = None

    @property
    def retry(self) -> bool:
        return self.error is not None and issubclass(self.error, TransientError)


def retry(reason: str, wait: float | None = None) -> Decision:
    """Transient: try again (after ``wait`` seconds at least, when the server named one)."""
    return Decision(TransientError, reason, wait)


def fail(reason: str, error: type[FatalError] = FatalError) -> Decision:
    """The run cannot go on: raise ``error`` (FatalError, AuthError, SchemaError) at once."""
    return Decision(error, reason)


def stop(reason: str) -> Decision:
    """The daily allowance is spent: LimitExhausted, no backoff."""
    return Decision(LimitExhausted, reason)


def passthrough(reason: str) -> Decision:
    """Not ours to judge (e.g. an expired session the connector handles): re-raise as is."""
    return Decision(None, reason)


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try. ``max_wait`` caps every single wait, including a server's Retry-After.

    A first retry comes quickly (most 5xx and dropped connections are one-offs; a fault storm
    of 20% costs then at most 1.3x the calls and 2x the time, benchmarks/fault_storm.py), and
    the backoff doubles from there: with 8 attempts it waits about 0.1 + 0.2 + ... + 6.4 =
    12.7 s in all, riding out a burst-limit window or a short outage. A wait the server named
    (Retry-After, a rate-limit policy) is used as it is, not added to the backoff.
    """

    attempts: int = 8
    initial_wait: float = 0.1
    max_wait: float = 30.0
    jitter: float = 0.25  # +/- fraction of each computed wait


#: one attempt, no retry: for calls that are retried as part of a larger attempt (a write is
#: re-read and re-decided before it is sent again, never re-sent blindly)
ONCE = RetryPolicy(attempts=1)

Classifier = Callable[[BaseException], Decision]


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header: delta-seconds or an HTTP-date (RFC 9110 10.2.3,
    https://www.rfc-editor.org/rfc/rfc9110#field.retry-after). A date in the past is 0."""
    if not value:
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        return _seconds_until(text, now)
    return seconds if seconds >= 0 else None


def _seconds_until(http_date: str, now: datetime | None) -> float | None:
    try:
        moment = parsedate_to_datetime(http_date)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:  # "-0000": UTC without a stated zone
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - (now or datetime.now(UTC))).total_seconds())


class _Wait(tenacity.wait.wait_base):
    def __init__(self, policy: RetryPolicy, decisions: dict[int, Decision], rng: random.Random):
        self.policy = policy
        self.decisions = decisions
        self.rng = rng

    def __call__(self, retry_state: tenacity.RetryCallState) -> float:
        decision = self.decisions.get(retry_state.attempt_number)
        backoff = self.policy.initial_wait * 2 ** (retry_state.attempt_number - 1)
        backoff *= 1 + self.rng.uniform(-self.policy.jitter, self.policy.jitter)
        if decision is not None and decision.wait is not None:
            # The server named its wait: that, not more (a backoff on top over-sleeps).
            return min(self.policy.max_wait, decision.wait)
        return min(self.policy.max_wait, backoff)


def judge(exc: BaseException, classify: Classifier) -> Decision:
    """``classify(exc)``, except for our own errors: a TransientError raised on purpose (e.g.
    an answer without its documented shape) is retried, any other ConnectorError re-raised."""
    if isinstance(exc, TransientError):
        return retry(str(exc), exc.retry_after)
    if isinstance(exc, ConnectorError):
        return passthrough(type(exc).__name__)
    return classify(exc)


def call(
    fn: Callable[[], T],
    *,
    classify: Classifier,
    operation: str,
    policy: RetryPolicy | None = None,
    sleep: Callable[[float], None] = time.sleep,
    on_attempt: Callable[[], None] | None = None,
    rng: random.Random | None = None,
    where: str = "",
) -> T:
    """Run ``fn`` under the retry policy; translate what it raises through ``classify``.

    ``on_attempt`` runs before every attempt (the connectors count API calls there).
    ``where`` names the source kind and host for error messages (``"HubSpot at host"``).
    Raises the decision's error class (TransientError once retries are exhausted), or the
    original exception when the decision passes it through.
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
        decision = _unprefixed(judge(exc, classify), where)
        decisions[retry_state.attempt_number] = decision
        if decision.retry:
            log.warning(
                "%s%s failed (%s), attempt %d of %d",
                f"{where}: " if where else "",
                operation,
                decision.reason,
                retry_state.attempt_number,
                policy.attempts,
            )
        return decision.retry

    retrying = tenacity.Retrying(
        stop=tenacity.stop_after_attempt(policy.attempts),
        wait=_Wait(policy, decisions, rng or random.Random()),
        retry=should_retry,
        sleep=sleep,
        reraise=True,
    )
    try:
        return retrying(attempt)
    except Exception as exc:
        decision = decisions.get(max(decisions, default=0)) or judge(exc, classify)
        if decision.error is None:
            raise
        raise _translate(decision, operation, where, policy) from exc


def _unprefixed(decision: Decision, where: str) -> Decision:
    """A nested call's failure (a write attempt's) without the ``where`` we add again."""
    if where and decision.reason.startswith(f"{where}: "):
        return replace(decision, reason=decision.reason.removeprefix(f"{where}: "))
    return decision


def _translate(
    decision: Decision, operation: str, where: str, policy: RetryPolicy
) -> ConnectorError:
    prefix = f"{where}: {operation}" if where else operation
    if decision.retry:
        message = f"{prefix} failed: {decision.reason}"
        if policy.attempts > 1:
            message += f" (gave up after {policy.attempts} attempts)"
        return TransientError(message, decision.wait)
    assert decision.error is not None
    return decision.error(f"{prefix} failed: {decision.reason}")


def connection_cause(exc: BaseException) -> str:
    """What went wrong below HTTP, in words: DNS failure, connection refused, TLS, timeout,
    dropped connection. Walks the chain of wrapped exceptions (requests wraps urllib3, which
    wraps the socket error) without quoting URLs or headers."""
    seen = list(_chain(exc))
    names = {type(e).__name__ for e in seen}
    texts = " ".join(str(e) for e in seen[-3:]).lower()
    if names & {"gaierror", "NameResolutionError"} or "name or service not known" in texts:
        return "DNS lookup failed"
    if names & {"SSLError", "SSLCertVerificationError", "CertificateError"}:
        return "TLS handshake failed (check ca_bundle and the URL scheme)"
    if names & {"ConnectTimeoutError", "ConnectTimeout"}:
        return "timed out connecting"
    if names & {"ReadTimeoutError", "ReadTimeout", "TimeoutError", "timeout"}:
        return "timed out waiting for the answer"
    if "ConnectionRefusedError" in names or "connection refused" in texts:
        return "connection refused"
    if names & {"RemoteDisconnected", "ConnectionResetError", "IncompleteRead", "ProtocolError"}:
        return "connection dropped before a complete answer"
    return f"connection problem ({type(exc).__name__})"


def _chain(exc: BaseException) -> list[BaseException]:
    found: list[BaseException] = []
    todo: list[BaseException] = [exc]
    while todo and len(found) < 12:
        current = todo.pop(0)
        if any(current is e for e in found):
            continue
        found.append(current)
        todo += [a for a in getattr(current, "args", ()) if isinstance(a, BaseException)]
        todo += [
            e
            for e in (getattr(current, "reason", None), current.__cause__, current.__context__)
            if isinstance(e, BaseException)
        ]
    return found
