"""API calls a connector spends per run, and its share of the CRM's daily allowance
(re-exported by :mod:`connectors.base`)."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime

from connectors.errors import LimitExhausted


@dataclass
class ApiUsage:
    """API calls spent by one connector instance in its current run, the CRM's own view of its
    allowance, and the guard that keeps this source within its share of that allowance.

    ``calls`` counts every HTTP request we sent since :meth:`start_run` (retries included): it
    is the scarce resource. ``used``/``limit`` are what the CRM last reported
    (``Sforce-Limit-Info``, ``X-HubSpot-RateLimit-Daily[-Remaining]``), if anything, and carry
    over from run to run of a connector a daemon keeps; ``share`` is the fraction of ``limit``
    this source may spend.
    """

    calls: int = 0
    by_operation: dict[str, int] = field(default_factory=dict)
    used: int | None = None
    limit: int | None = None
    share: float = 1.0
    #: calls sent since the CRM last reported ``used`` (whatever run they belong to)
    _since_report: int = 0
    #: the CRM's clock (``Date`` header) at its first answer since :meth:`mark_clock`
    server_time: datetime | None = None

    def __post_init__(self) -> None:
        if not 0 < self.share <= 1:
            raise ValueError(f"api_budget_share must be in (0, 1], not {self.share}")

    def count(self, operation: str, n: int = 1) -> None:
        self.calls += n
        self._since_report += n
        self.by_operation[operation] = self.by_operation.get(operation, 0) + n

    def start_run(self) -> None:
        """Count a new run's calls from zero and forget the CRM's clock; the CRM's last report
        of the allowance (and the calls sent since it) stays, so the budget guard holds across
        the runs of a kept connector. Unless it says this source's share is spent: the
        allowance renews (Salesforce: a rolling 24 hours; HubSpot: each day) and only an
        answer tells, so the new run's first call goes out and its answer decides again."""
        self.calls = 0
        self.by_operation = {}
        self.server_time = None
        used, allowed = self.estimated_used(), self.allowed()
        if used is not None and allowed is not None and used >= allowed:
            self.used, self._since_report = None, 0

    def mark_clock(self) -> None:
        """Forget the CRM's clock: the next answer's Date becomes :attr:`server_time`."""
        self.server_time = None

    def observe_clock(self, date_header: str | None) -> None:
        """Keep the first readable ``Date`` header since :meth:`mark_clock`."""
        with suppress(TypeError, ValueError):
            if self.server_time is None and date_header:
                stamp = parsedate_to_datetime(date_header)
                self.server_time = stamp if stamp.tzinfo else None

    def report(self, used: int, limit: int) -> None:
        """The CRM's latest count of calls used today out of ``limit``."""
        self.used, self.limit = used, limit
        self._since_report = 0

    def estimated_used(self) -> int | None:
        """Calls used today: the CRM's last report plus what we sent since (some answers, e.g.
        HubSpot search, carry no count). None until the CRM has reported."""
        if self.used is None:
            return None
        return self.used + self._since_report

    def allowed(self) -> int | None:
        """Our share of the daily allowance, once the CRM has told us the allowance."""
        return None if self.limit is None else int(self.limit * self.share)

    def check(self, operation: str, where: str = "") -> None:
        """Raise LimitExhausted when one more call would pass our share of the allowance.

        ``where`` names the source kind and host in the message (``"HubSpot at host"``)."""
        used, allowed = self.estimated_used(), self.allowed()
        if used is not None and allowed is not None and used + 1 > allowed:
            prefix = f"{where}: " if where else ""
            raise LimitExhausted(
                f"{prefix}{operation} not sent: API budget spent ({used} of the daily "
                f"{self.limit} calls used; this source may use {allowed}, "
                f"api_budget_share {self.share:g})"
            )
