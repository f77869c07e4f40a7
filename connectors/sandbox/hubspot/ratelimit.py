"""HubSpot's rate limits for a private app: ten-secondly burst, secondly search, daily allowance.

Per account tier (https://developers.hubspot.com/changelog/increasing-our-api-limits): Starter
100 calls per rolling 10 s and 250,000 a day; Professional 190 and 650,000; Enterprise 190 and
1,000,000. Search has its own bucket of 5 calls per second and its answers carry no
X-HubSpot-RateLimit-* headers
(https://developers.hubspot.com/docs/api-reference/latest/crm/search-the-crm, Limits;
https://developers.hubspot.com/docs/developer-tooling/platform/usage-guidelines). The daily
allowance resets at midnight (UTC here; the account's time zone in HubSpot). Refused requests
are not counted.

Windows run on :class:`LimitClock`: the emulator's injectable clock, or real elapsed time when
that is further ahead. A test that drives a frozen clock sees its windows roll exactly when it
advances the clock; a client that really sleeps against a frozen clock (the product's retry
policy in an end-to-end test) sees them roll as HubSpot's would, instead of never.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from connectors.sandbox.hubspot.values import from_millis, millis

#: tier -> (calls per rolling 10 s, calls per day)
TIERS = {
    "starter": (100, 250_000),
    "professional": (190, 650_000),
    "enterprise": (190, 1_000_000),
}
WINDOW_MS = 10_000
SEARCH_WINDOW_MS = 1_000
SEARCH_PER_SECOND = 5


class LimitClock:
    """Now for the rate windows: ``max(clock, clock at start + real time elapsed)`` in ms."""

    def __init__(
        self,
        clock: Callable[[], datetime],
        *,
        follow_real_time: bool = True,
        elapsed: Callable[[], float] = time.monotonic,
    ) -> None:
        self.clock = clock
        self.follow_real_time = follow_real_time
        self.elapsed = elapsed
        self._start: tuple[int, float] | None = None

    def now_ms(self) -> int:
        """Epoch milliseconds the windows measure against."""
        emulated = millis(self.clock())
        if not self.follow_real_time:
            return emulated
        if self._start is None:
            self._start = (emulated, self.elapsed())
        first, began = self._start
        return max(emulated, first + int((self.elapsed() - began) * 1000))


@dataclass
class RateLimiter:
    tier: str = "professional"
    daily_limit: int | None = None  # None: the tier's allowance
    _burst: deque[int] = field(default_factory=deque)
    _search: deque[int] = field(default_factory=deque)
    _day: date | None = None
    _daily_used: int = 0

    def __post_init__(self) -> None:
        if self.tier not in TIERS:
            raise ValueError(f"tier must be one of {sorted(TIERS)}, not {self.tier!r}")
        if self.daily_limit is None:
            self.daily_limit = TIERS[self.tier][1]

    @property
    def burst_max(self) -> int:
        """Requests allowed per rolling ten seconds."""
        return TIERS[self.tier][0]

    @property
    def daily_max(self) -> int:
        """Requests allowed per day."""
        return self.daily_limit if self.daily_limit is not None else TIERS[self.tier][1]

    def admit(self, now_ms: int, search: bool) -> str | None:
        """Count a request; the policy name that refuses it (None: admitted)."""
        today = from_millis(now_ms).astimezone(UTC).date()
        if self._day != today:
            self._day, self._daily_used = today, 0
        if self._daily_used >= self.daily_max:
            return "DAILY"
        window, size, limit = (
            (self._search, SEARCH_WINDOW_MS, SEARCH_PER_SECOND)
            if search
            else (self._burst, WINDOW_MS, self.burst_max)
        )
        while window and window[0] <= now_ms - size:
            window.popleft()
        if len(window) >= limit:
            return "SECONDLY" if search else "TEN_SECONDLY_ROLLING"
        window.append(now_ms)
        self._daily_used += 1
        return None

    def headers(self, now_ms: int) -> dict[str, str]:
        """The X-HubSpot-RateLimit-* headers of a (non-search) response.

        The Secondly pair is deprecated but "still included and will still have accurate
        data" (usage guidelines above); it reports a tenth of the burst window.
        """
        while self._burst and self._burst[0] <= now_ms - WINDOW_MS:
            self._burst.popleft()
        secondly = self.burst_max // 10
        last_second = sum(1 for stamp in self._burst if stamp > now_ms - 1000)
        return {
            "X-HubSpot-RateLimit-Max": str(self.burst_max),
            "X-HubSpot-RateLimit-Remaining": str(max(0, self.burst_max - len(self._burst))),
            "X-HubSpot-RateLimit-Interval-Milliseconds": str(WINDOW_MS),
            "X-HubSpot-RateLimit-Daily": str(self.daily_max),
            "X-HubSpot-RateLimit-Daily-Remaining": str(max(0, self.daily_max - self._daily_used)),
            "X-HubSpot-RateLimit-Secondly": str(secondly),
            "X-HubSpot-RateLimit-Secondly-Remaining": str(max(0, secondly - last_second)),
        }
