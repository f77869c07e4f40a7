"""HubSpot's rate limits for a private app: ten-secondly burst, secondly search, daily allowance.

Starter 100 and Professional 190 requests per rolling 10 s; search 5 requests per second (its
own bucket, no X-HubSpot-RateLimit-* headers on search responses); a daily allowance that
resets at midnight (UTC here; the account's time zone in HubSpot). See crm-api-facts.md 2.6 and
https://developers.hubspot.com/changelog/increasing-our-api-limits . Refused requests are not
counted. Windows read the emulator's injectable clock, so tests can freeze time.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import date

TIERS = {"starter": 100, "professional": 190}
WINDOW_MS = 10_000
SEARCH_WINDOW_MS = 1_000
SEARCH_PER_SECOND = 5


@dataclass
class RateLimiter:
    tier: str = "professional"
    daily_limit: int = 650_000
    _burst: deque[int] = field(default_factory=deque)
    _search: deque[int] = field(default_factory=deque)
    _day: date | None = None
    _daily_used: int = 0

    def __post_init__(self) -> None:
        if self.tier not in TIERS:
            raise ValueError(f"tier must be one of {sorted(TIERS)}, not {self.tier!r}")

    @property
    def burst_max(self) -> int:
        """Requests allowed per rolling ten seconds."""
        return TIERS[self.tier]

    def admit(self, now_ms: int, today: date, search: bool) -> str | None:
        """Count a request; the policy name that refuses it (None: admitted)."""
        if self._day != today:
            self._day, self._daily_used = today, 0
        if self._daily_used >= self.daily_limit:
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
        """The X-HubSpot-RateLimit-* headers of a (non-search) response."""
        while self._burst and self._burst[0] <= now_ms - WINDOW_MS:
            self._burst.popleft()
        return {
            "X-HubSpot-RateLimit-Max": str(self.burst_max),
            "X-HubSpot-RateLimit-Remaining": str(max(0, self.burst_max - len(self._burst))),
            "X-HubSpot-RateLimit-Interval-Milliseconds": str(WINDOW_MS),
            "X-HubSpot-RateLimit-Daily": str(self.daily_limit),
            "X-HubSpot-RateLimit-Daily-Remaining": str(max(0, self.daily_limit - self._daily_used)),
        }
