"""The contract between the sync engine and every CRM connector.

A connector talks to one CRM: it reads records (as plain dicts keyed by the CRM's own field
names), writes corrections back, and reports how many API calls it spent. It knows nothing
about the database, the mappings or the policies; ``sync`` owns those.

Everything a connector raises on purpose is a :class:`ConnectorError` subclass, so the engine
can decide with one ``except`` what to do: stop the run (:class:`FatalError`,
:class:`LimitExhausted`) or try later (:class:`TransientError`). A problem with one record is
no exception at all: a write answers it in that record's :class:`WriteOutcome`; a read hands
every record it can identify (an id and a modstamp) over as it is, and the engine stores it
with a finding for what it cannot use (a record with neither is logged and left out).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field, fields
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any, Protocol, runtime_checkable

from connectors.writing import TASK_FIELD as TASK_FIELD
from connectors.writing import Correction as Correction
from connectors.writing import FieldInfo as FieldInfo
from connectors.writing import OutcomeStatus as OutcomeStatus
from connectors.writing import WriteOutcome as WriteOutcome

# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Cursor:
    """A position in a stream ordered by (modstamp, record id).

    Records are read in ascending ``(modstamp, record_id)`` order, so a cursor is a safe place
    to resume from: every record at or before it has been handed to the engine.
    """

    modstamp: datetime
    record_id: str = ""


@dataclass(frozen=True)
class Window:
    """A half-open time window ``[start, end)`` over the CRM's modification stamp.

    ``end`` is fixed once per run (never "now" re-read mid-run), so records modified while the
    run is under way are picked up by the next run instead of being skipped. ``start`` is None
    for "from the beginning".
    """

    start: datetime | None
    end: datetime

    def __post_init__(self) -> None:
        for value in (self.start, self.end):
            if value is not None and value.tzinfo is None:
                raise ValueError("Window bounds must be timezone-aware")
        if self.start is not None and self.start >= self.end:
            raise ValueError(f"empty window: start {self.start} is not before end {self.end}")


@dataclass(frozen=True)
class Deletions:
    """Which deleted records a pull lists, for a CRM that lists them apart from the changed
    ones at a cost of its own (HubSpot's archived contacts; Salesforce's queryAll returns them
    with the changes and ignores this). ``listed`` False: none this time (the engine lists them
    on a schedule); else those deleted at or after ``since`` (None: all the CRM still holds)
    and before the window's end, strictly after the pull's cursor."""

    listed: bool = True
    since: datetime | None = None


#: a pull that lists no deletions this time
NO_DELETIONS = Deletions(listed=False)


@dataclass(frozen=True)
class SourceRecord:
    """One CRM record as read: its id, its modification stamp and its raw fields.

    ``fields`` holds the CRM's own field names and values (Salesforce field API names; HubSpot
    property names) exactly as the API returned them, minus transport noise such as
    Salesforce's ``attributes``. ``deleted`` is true for records in the recycle bin / archived;
    ``merged_into`` names the surviving record when the CRM merged this one away.
    """

    record_id: str
    modstamp: datetime
    fields: Mapping[str, Any]
    deleted: bool = False
    merged_into: str | None = None


@dataclass(frozen=True)
class Page:
    """A batch of records plus the cursor that is safe to persist once they are stored.

    ``total``: how many records the whole pull returns, when the API says so (Salesforce's
    ``totalSize``, HubSpot search's ``total``), for progress bars; None when unknown.
    """

    records: Sequence[SourceRecord]
    cursor: Cursor | None
    total: int | None = None


# --------------------------------------------------------------------------------------------
# Usage accounting
# --------------------------------------------------------------------------------------------


@dataclass
class ApiUsage:
    """API calls spent by one connector instance, the CRM's own view of its allowance, and the
    guard that keeps this source within its share of that allowance.

    ``calls`` counts every HTTP request we sent (retries included): it is the scarce resource.
    ``used``/``limit`` are what the CRM last reported (``Sforce-Limit-Info``,
    ``X-HubSpot-RateLimit-Daily[-Remaining]``), if anything; ``share`` is the fraction of
    ``limit`` this source may spend.
    """

    calls: int = 0
    by_operation: dict[str, int] = field(default_factory=dict)
    used: int | None = None
    limit: int | None = None
    share: float = 1.0
    _calls_at_report: int = 0
    #: the CRM's clock (``Date`` header) at its first answer since :meth:`mark_clock`
    server_time: datetime | None = None

    def __post_init__(self) -> None:
        if not 0 < self.share <= 1:
            raise ValueError(f"api_budget_share must be in (0, 1], not {self.share}")

    def count(self, operation: str, n: int = 1) -> None:
        self.calls += n
        self.by_operation[operation] = self.by_operation.get(operation, 0) + n

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
        self._calls_at_report = self.calls

    def estimated_used(self) -> int | None:
        """Calls used today: the CRM's last report plus what we sent since (some answers, e.g.
        HubSpot search, carry no count). None until the CRM has reported."""
        if self.used is None:
            return None
        return self.used + (self.calls - self._calls_at_report)

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


def secret_values(settings: Any) -> list[str]:
    """The secrets of a connection dataclass: its fields kept out of ``repr`` (passwords,
    tokens, keys), never the names that go with them (a username is not a secret, and masking
    it would hide who failed to log in)."""
    return [
        value
        for item in fields(settings)
        if not item.repr and isinstance(value := getattr(settings, item.name), str) and value
    ]


# --------------------------------------------------------------------------------------------
# Error taxonomy
# --------------------------------------------------------------------------------------------


class ConnectorError(Exception):
    """Base of every error a connector raises on purpose. Messages never contain secrets."""


class FatalError(ConnectorError):
    """The run cannot go on: bad credentials, a mapped field the CRM lacks, a broken answer."""


class AuthError(FatalError):
    """Login failed or the session cannot be renewed."""


class Forbidden(FatalError):
    """The CRM refused the call itself: a missing permission or scope, a feature the account's
    tier lacks, an IP restriction (HTTP 403 other than a spent allowance)."""


class SchemaError(FatalError):
    """The CRM's schema does not match the mapping (missing field, wrong type)."""


class LimitExhausted(ConnectorError):
    """The daily API allowance (or our configured share of it) is spent: stop, no backoff."""


class TransientError(ConnectorError):
    """Worth retrying later: 429, 5xx, dropped connection, row lock."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class MalformedAnswer(TransientError):
    """An answer without the shape the API documents (empty, cut short, HTML, a redirect, a
    missing key). Never read as "no more data": retried, then the run stops, cursor unmoved."""


# --------------------------------------------------------------------------------------------
# Protocols
# --------------------------------------------------------------------------------------------


@runtime_checkable
class Connector(Protocol):
    """What the engine needs from a CRM connector. One instance serves one configured source."""

    #: the CRM kind, e.g. "salesforce" or "hubspot"
    kind: str
    #: the field holding the record's modification stamp (``SystemModstamp``, ``lastmodifieddate``)
    modstamp_field: str
    usage: ApiUsage

    def check(self) -> None:
        """Log in and verify that every mapped field exists. Raises FatalError otherwise."""

    def field_options(self, field_name: str) -> frozenset[str] | None:
        """Allowed values of a picklist/enumeration field; None when any value is accepted."""

    def field_info(self, field_name: str) -> FieldInfo | None:
        """The field's type, length and options as the CRM describes them (None: no such
        field). Costs at most the one describe call the connector caches."""

    def pull(
        self, window: Window, after: Cursor | None = None, deletions: Deletions | None = None
    ) -> Iterator[Page]:
        """Records modified in ``window`` (deleted/archived ones included), ascending by
        (modstamp, id), starting strictly after ``after`` when given. Each page's cursor may be
        persisted once its records are stored; the last page's cursor is at most ``window.end``.
        ``deletions``: see :class:`Deletions` (None: those deleted in ``window``).
        """

    def pull_all(self) -> Iterator[Page]:
        """Every record (full resync), deleted ones included, streamed in pages."""

    def pull_ids(self, record_ids: Sequence[str]) -> Iterator[Page]:
        """The given records (resync by id). Unknown ids are simply absent from the result."""

    def write(self, corrections: Sequence[Correction]) -> list[WriteOutcome]:
        """Apply corrections in batches, conflict-checked. One outcome per correction, in order.

        Raises only for run-level problems (FatalError, LimitExhausted, TransientError after
        retries); record-level problems become CONFLICT / RETRY / DEAD outcomes.
        """

    def close(self) -> None:
        """Release sessions and connections."""


@runtime_checkable
class FieldHistory(Protocol):
    """Optional: the CRM's own history of a field (when a lead first seen in a status entered
    it; a connector without it is not asked)."""

    def field_history(
        self, field_name: str, record_ids: Sequence[str]
    ) -> dict[str, list[tuple[str | None, datetime]]]:
        """Each known record's values of ``field_name``, newest first, with their times."""
