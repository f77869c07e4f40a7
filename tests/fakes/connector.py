"""FakeConnector: the :class:`connectors.base.Connector` contract over an in-memory CRM.

It behaves as the real connectors do where the engine can tell, and shares their machinery
where they share it: every request runs under the one retry policy
(:func:`connectors.http.call`, here with :func:`classify` and waits recorded, never slept) and
is counted in :attr:`usage`; pages come ascending by (modstamp, id) with a cursor after each,
over half-open windows, from a query snapshot paged one request at a time; writes merge a
record's corrections into one update (:mod:`connectors.batching`) and every attempt at a batch,
the first and each retry, re-reads it, decides, and writes what still needs it
(:mod:`tests.fakes.writer`). It passes the same contract suite as the real connectors
(``tests/connectors/test_contract_fake.py``).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from email.utils import format_datetime
from functools import partial
from typing import TypeVar

from connectors import http
from connectors.base import (
    ApiUsage,
    Correction,
    Cursor,
    Deletions,
    FieldInfo,
    Page,
    TransientError,
    Window,
    WriteOutcome,
)
from connectors.http import Decision, RetryPolicy
from tests.fakes import writer
from tests.fakes.crm import ODD_ANSWERS, RETRIED_FAULTS, FakeCrm, FakeRecord, RequestFailed

T = TypeVar("T")
#: the fake's default retry policy: waits of 1, 2 and 4 seconds before the 2nd, 3rd and 4th
#: attempt (no jitter: the recorded waits are exact)
FAKE_RETRY = RetryPolicy(attempts=4, initial_wait=1.0, max_wait=4.0, jitter=0.0)
#: names the source in error messages, where a real connector names its kind and host
WHERE = "fake CRM"


def classify(exc: BaseException) -> Decision:
    """What a failed request means, as the real connectors' ``classify`` decides: 429, 503,
    drops and odd answers are retried, ``fatal`` fails the run, ``limit`` stops it.
    ``transient`` (a call whose retries ran out) and anything else pass through unchanged."""
    if not isinstance(exc, RequestFailed) or exc.kind == "transient":
        return http.passthrough(type(exc).__name__)
    if exc.kind in RETRIED_FAULTS:
        return http.retry(str(exc))
    if exc.kind in ODD_ANSWERS:
        return http.retry(f"answer without its documented shape ({exc})")
    if exc.kind == "limit":
        return http.stop(f"daily API allowance spent ({exc})")
    return http.fail(str(exc))


class FakeConnector:
    """One source's connector to a :class:`FakeCrm`; ``waits`` holds the backoff it asked
    for, and ``sleep`` (if given) is called with each wait instead of sleeping."""

    kind = "salesforce"
    modstamp_field = "SystemModstamp"

    def __init__(
        self,
        crm: FakeCrm,
        page_size: int = 200,
        batch_size: int = 200,
        *,
        retry: RetryPolicy = FAKE_RETRY,
        sleep: Callable[[float], object] | None = None,
    ) -> None:
        self.crm = crm
        self.page_size = page_size
        self.batch_size = batch_size
        self.retry = retry
        self.sleep = sleep
        self.usage = ApiUsage()
        self.waits: list[float] = []
        self.closed = False
        self._options: Mapping[str, frozenset[str]] | None = None
        self._rng = random.Random(0)

    # -- the contract ---------------------------------------------------------------------

    def check(self) -> None:
        """One describe request (the fake has every field)."""
        self._describe()

    def field_options(self, field_name: str) -> frozenset[str] | None:
        """The picklist's values (one describe per connector), None for free fields."""
        return self._describe().get(field_name)

    def field_info(self, field_name: str) -> FieldInfo | None:
        """Restricted picklists from the fake's options; any other field is 255-char text."""
        options = self._describe().get(field_name)
        if options is not None:
            return FieldInfo(field_name, "picklist", "picklist", options=tuple(sorted(options)))
        return FieldInfo(field_name, "text", "string", length=255)

    def forget_schema(self) -> None:
        """Drop the cached describe (the next use describes again)."""
        self._options = None

    def pull(
        self, window: Window, after: Cursor | None = None, deletions: Deletions | None = None
    ) -> Iterator[Page]:
        """Records of ``window`` (deleted ones too: like Salesforce, ``deletions`` is moot)."""
        return self._pages(partial(_in_window, window, after), after, track_cursor=True)

    def pull_all(self) -> Iterator[Page]:
        return self._pages(lambda _record: True, None, track_cursor=True)

    def pull_ids(self, record_ids: Sequence[str]) -> Iterator[Page]:
        unique = list(dict.fromkeys(record_ids))
        for start in range(0, len(unique), self.page_size):
            wanted = frozenset(unique[start : start + self.page_size])
            yield from self._pages(partial(_among, wanted), None, track_cursor=False)

    def write(self, corrections: Sequence[Correction]) -> list[WriteOutcome]:
        """Conflict-checked batches (see :func:`tests.fakes.writer.write`)."""
        return writer.write(self.crm, self._once, self._retried, self.batch_size, corrections)

    def close(self) -> None:
        self.closed = True

    # -- requests -------------------------------------------------------------------------

    def _request(self, operation: str, answer: Callable[[], T], policy: RetryPolicy) -> T:
        """``answer`` served by the CRM under ``policy``; each attempt one counted request,
        answered with the CRM's clock (a live API's ``Date`` header)."""
        self.usage.observe_clock(format_datetime(self.crm.clock(), usegmt=True))
        return http.call(
            partial(self.crm.serve, operation, answer),
            classify=classify,
            operation=operation,
            policy=policy,
            sleep=self._wait,
            on_attempt=partial(self.usage.count, operation),
            rng=self._rng,
            where=WHERE,
        )

    def _call(self, operation: str, answer: Callable[[], T]) -> T:
        """One API call, retried by the policy."""
        return _spent(operation, partial(self._request, operation, answer, self.retry))

    def _once(self, operation: str, answer: Callable[[], T]) -> T:
        """One request, not retried: the caller retries the whole attempt it belongs to."""
        return self._request(operation, answer, http.ONCE)

    def _retried(self, operation: str, attempt: Callable[[], T]) -> T:
        """``attempt()`` (whose requests go through :meth:`_once`) retried as a whole."""
        whole = partial(
            http.call,
            attempt,
            classify=classify,
            operation=operation,
            policy=self.retry,
            sleep=self._wait,
            rng=self._rng,
            where=WHERE,
        )
        return _spent(operation, whole)

    def _wait(self, seconds: float) -> None:
        self.waits.append(seconds)
        if self.sleep is not None:
            self.sleep(seconds)

    def _describe(self) -> Mapping[str, frozenset[str]]:
        if self._options is None:
            self._options = self._call("describe", lambda: dict(self.crm.options))
        return self._options

    def _pages(
        self, keep: Callable[[FakeRecord], bool], after: Cursor | None, track_cursor: bool
    ) -> Iterator[Page]:
        """The query's result as of its first request, a page per request (queryMore)."""
        rows = self._call("query", lambda: self.crm.select("query", keep))
        cursor = after
        for start in range(0, max(len(rows), 1), self.page_size):
            if start:
                self._call("query", lambda: None)
            records = rows[start : start + self.page_size]
            if records:
                cursor = Cursor(records[-1].modstamp, records[-1].record_id)
            yield Page(records, cursor if track_cursor else None)


def _spent(operation: str, call: Callable[[], T]) -> T:
    """``call()``; an injected ``transient`` fault (passed through by :func:`classify`) ends it
    as a call whose retries ran out ends: TransientError."""
    try:
        return call()
    except RequestFailed as exc:
        raise TransientError(f"{WHERE}: {operation} failed: {exc} (retries ran out)") from exc


def _in_window(window: Window, after: Cursor | None, record: FakeRecord) -> bool:
    """Stamped in ``[window.start, window.end)``, and after ``after`` when given."""
    if window.start is not None and record.modstamp < window.start:
        return False
    if record.modstamp >= window.end:
        return False
    return after is None or (record.modstamp, record.record_id) > (
        after.modstamp,
        after.record_id,
    )


def _among(ids: frozenset[str], record: FakeRecord) -> bool:
    return record.record_id in ids
