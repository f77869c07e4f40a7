"""Client-side pacing of HubSpot search: a token bucket, so a large pull stays under the limit.

CRM search has its own rate limit apart from the account's burst budget: five requests per
second per account, refused with 429 ``policyName: SECONDLY``
(https://developers.hubspot.com/docs/api-reference/latest/crm/search-the-crm, Limits; the
limit was four per second when it was first raised:
https://developers.hubspot.com/changelog/crm-search-api-rate-limit-increase). HubSpot wants
integrations to keep errors under 5% of their requests
(https://developers.hubspot.com/docs/developer-tooling/platform/usage-guidelines), and every
429 is a wasted call plus a one-second back-off. Searches sent back to back against a fast
server get one 429 in six, so the connector paces them before they are sent.

The bucket holds one token and refills at :data:`SEARCH_RATE`, 90% of the limit: consecutive
searches are at least 222 ms apart, so any one-second window (HubSpot counts a rolling second)
sees at most five of them even when the network delays one request by up to 100 ms more than
the next. Against real HubSpot, where a search takes longer than that to answer, it rarely
waits at all.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

#: requests per second HubSpot allows on the search endpoints
SEARCH_LIMIT = 5.0
#: the rate the connector sends searches at: the limit with a margin for network jitter
SEARCH_RATE = SEARCH_LIMIT * 0.9


class TokenBucket:
    """At most ``capacity`` requests at once, refilled at ``rate`` per second.

    ``clock`` (seconds, monotonic) and ``sleep`` are injectable so tests never wait for real:
    a test passes its frozen clock and a sleep that advances it.
    """

    def __init__(
        self,
        rate: float,
        capacity: float = 1.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0 or capacity < 1:
            raise ValueError(f"a token bucket needs rate > 0 and capacity >= 1: {rate}, {capacity}")
        self.rate = rate
        self.capacity = capacity
        self.clock = clock
        self.sleep = sleep
        self._tokens = capacity
        self._last: float | None = None
        self._lock = threading.Lock()

    def take(self) -> float:
        """Wait until a token is there and spend it; return the seconds waited."""
        with self._lock:
            self._refill()
            wait = 0.0
            if self._tokens < 1:
                wait = (1 - self._tokens) / self.rate
                self.sleep(wait)
                self._refill()
                self._tokens = max(self._tokens, 1.0)  # float rounding: the wait was exact
            self._tokens -= 1
            return wait

    def _refill(self) -> None:
        now = self.clock()
        if self._last is not None:
            self._tokens = min(self.capacity, self._tokens + (now - self._last) * self.rate)
        self._last = now


def search_bucket(
    clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep
) -> TokenBucket:
    """The bucket one HubSpot account's searches share (see the module docstring)."""
    return TokenBucket(SEARCH_RATE, 1.0, clock=clock, sleep=sleep)
