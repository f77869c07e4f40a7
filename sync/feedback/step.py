"""One feedback run (``leadloop feedback``, the scheduler's feedback job, the demo's last step).

Under the lease ``feedback`` (one run at a time across workers): a run row with its counts;
aggregate the reasons and judge the recommendations in one transaction (rolled back by a dry
run); then push each target, the custom object first. A target that cannot be pushed (no
custom objects, a property of another type) fails alone; a spent API budget, a storm of
429s or a refused token stops the push, and the next run finishes it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.orm import Session, sessionmaker

from connectors.base import AuthError, ConnectorError, LimitExhausted, TransientError
from sync.config.settings import Settings
from sync.feedback.aggregate import Overlap, counted, kinds_for
from sync.feedback.collect import Collected, collect
from sync.feedback.config import PeriodKind
from sync.feedback.contacts import ContactPayloads, contact_payloads
from sync.feedback.push import Pusher, PushResult, Records
from sync.feedback.recommend import Judged, active_rules, rule_key
from sync.feedback.report.model import labels_of
from sync.feedback.targets import CONTACT_PROPERTIES, CUSTOM_OBJECT, record, record_key
from sync.lease import HeldLease, Worker, hold_lease
from sync.logs import redact
from sync.store import contact_matches, runs
from sync.store import recommendations as history
from sync.store.states import RunState

log = logging.getLogger(__name__)
LEASE = "feedback"
#: errors after which no further target is tried in this run
STOPPING = (LimitExhausted, TransientError, AuthError)


@dataclass(frozen=True)
class FeedbackRequest:
    periods: tuple[PeriodKind, ...] = ()  # () : feedback.periods
    since: date | None = None
    push: bool = True
    dry_run: bool = False


@dataclass
class FeedbackReport:
    """What one run did; ``failed`` when a target could not be pushed completely."""

    run_id: int | None
    periods: tuple[PeriodKind, ...]
    records: dict[str, int]
    overlap: Overlap
    judged: Judged
    pushes: list[PushResult] = field(default_factory=list)
    api_calls: int = 0
    dry_run: bool = False
    #: the messages of the open recommendations, newest first
    open: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(p.error for p in self.pushes)

    def counts(self) -> dict[str, int]:
        counts = {f"records_{kind}": n for kind, n in self.records.items()}
        counts |= {
            "recommendations_opened": self.judged.opened,
            "recommendations_closed": self.judged.closed,
            "api_calls": self.api_calls,
        }
        for push in self.pushes:
            counts |= {
                f"{push.target}_{name}": getattr(push, name)
                for name in ("changed", "sent", "failed", "conflicts", "zeroed")
            }
        return counts


@dataclass
class FeedbackStep:
    settings: Settings
    sessions: sessionmaker[Session]
    clock: Callable[[], datetime]
    worker: Worker | None = None
    #: how the API client waits between retries (tests pass one that records the waits)
    sleep: Callable[[float], None] = time.sleep
    _held: HeldLease = field(init=False, repr=False)

    def run(self, request: FeedbackRequest) -> FeedbackReport:
        """Aggregate, judge and push (see the module docstring). Raises
        :class:`~sync.lease.LeaseBusy` when another worker holds the lease."""
        worker = self.worker or Worker.current()
        what = "the feedback step is being run"
        with hold_lease(self.sessions, LEASE, worker, what=what) as held:
            self._held = held
            return self._leased(request, worker)

    def _leased(self, request: FeedbackRequest, worker: Worker) -> FeedbackReport:
        periods = request.periods or tuple(dict.fromkeys(self.settings.feedback.periods))
        run_id = self._start(request, worker)
        try:
            report = self._run(request, periods)
        except Exception as exc:
            self._finish(run_id, RunState.FAILED, {}, redact(str(exc)))
            raise
        report.run_id = run_id
        errors = "; ".join(f"{p.target}: {p.error}" for p in report.pushes if p.error)
        state = RunState.FAILED if report.failed else RunState.SUCCEEDED
        self._finish(run_id, state, report.counts(), errors or None)
        return report

    def _start(self, request: FeedbackRequest, worker: Worker) -> int | None:
        if request.dry_run:
            return None
        with self.sessions() as session:
            target = self.settings.feedback.target
            run = runs.start_run(session, "feedback", self.clock(), target, worker.instance)
            session.commit()
            return run.id

    def _finish(
        self, run_id: int | None, state: RunState, counts: dict[str, int], error: str | None
    ) -> None:
        if run_id is None:
            return
        with self.sessions() as session:
            runs.finish_run(session, run_id, state, self.clock(), counts, error)
            session.commit()

    def _run(self, request: FeedbackRequest, periods: tuple[PeriodKind, ...]) -> FeedbackReport:
        now = self.clock()
        collected, payloads = self._aggregate(request, periods, now)
        report = FeedbackReport(
            None,
            periods,
            {k: len(collected.reasons.get(k, ())) for k in periods},
            collected.overlap,
            collected.judged,
            dry_run=request.dry_run,
            open=collected.open,
        )
        if request.push and self.settings.feedback.target is not None:
            self._held.ensure()  # a worker that lost the lease stops before pushing
            records = self._records(collected, periods, request.since)
            report.pushes, report.api_calls = self._push(request, records, payloads, periods)
        return report

    def _aggregate(
        self, request: FeedbackRequest, periods: tuple[PeriodKind, ...], now: datetime
    ) -> tuple[Collected, ContactPayloads]:
        target = self.settings.feedback.target
        with self.sessions() as session:
            kinds = kinds_for(self.settings, periods)
            with counted(session, self.settings, now, request.since, True, kinds) as found:
                collected = collect(found, self.settings, now, periods)
                collected.open = open_messages(session, self.settings)
                matches = (
                    [] if target is None else contact_matches.disqualified_matches(session, target)
                )
            pushed = (
                []
                if target is None
                else contact_matches.pushed_contacts(session, target, CONTACT_PROPERTIES)
            )
            if request.dry_run:
                session.rollback()
            else:
                session.commit()
        return collected, contact_payloads(matches, pushed)

    def _records(
        self, collected: Collected, periods: tuple[PeriodKind, ...], since: date | None
    ) -> Records:
        from sync.feedback.aggregate import calendar_of

        calendar, labels = calendar_of(self.settings), labels_of(self.settings)
        first = "" if since is None else since.isoformat()
        return {
            record_key(kind, row): record(
                kind, calendar.label(kind, row.period), row, labels.get(row.reason, row.reason)
            )
            for kind in periods
            for row in collected.reasons.get(kind, ())
            if row.period >= first  # a period that began before `since` is not whole
        }

    def _push(
        self,
        request: FeedbackRequest,
        records: Records,
        payloads: ContactPayloads,
        periods: tuple[PeriodKind, ...],
    ) -> tuple[list[PushResult], int]:
        from connectors.hubspot.connector import HubSpotConnector
        from sync.pipeline.sources import build_source

        target = self.settings.feedback.target
        assert target is not None
        source = build_source(self.settings, target)
        assert isinstance(source.connector, HubSpotConnector)
        source.connector.api.sleep = self.sleep
        api = None if request.dry_run else source.connector.api
        pusher = Pusher(self.sessions, self.settings.feedback, self.clock, api)
        try:
            results = self._targets(pusher, records, payloads, _scope(periods, request.since))
        finally:
            source.connector.close()
        return results, source.connector.usage.calls

    def _targets(
        self,
        pusher: Pusher,
        records: Records,
        payloads: ContactPayloads,
        in_scope: Callable[[str], bool],
    ) -> list[PushResult]:
        config, labels = self.settings.feedback, labels_of(self.settings)
        jobs: list[tuple[PushResult, Callable[[PushResult], None]]] = []
        if config.custom_object.enabled:
            jobs.append(
                (PushResult(CUSTOM_OBJECT), lambda r: pusher.custom_object(r, records, in_scope))
            )
        if config.contact_properties.enabled:
            contacts, ambiguous = payloads.payloads, payloads.ambiguous
            jobs.append(
                (
                    PushResult(CONTACT_PROPERTIES),
                    lambda r: pusher.contacts(r, contacts, ambiguous, labels),
                )
            )
        stopped: str | None = None
        for result, job in jobs:
            if stopped is not None:
                result.error = f"not pushed: {stopped}"
                continue
            try:
                job(result)
            except ConnectorError as exc:
                result.error = redact(str(exc))
                log.error("%s: %s", result.target, result.error)
                if isinstance(exc, STOPPING):
                    stopped = result.error
        return [result for result, _ in jobs]


def open_messages(session: Session, settings: Settings) -> list[str]:
    """The open recommendations' messages (the active rules', newest first)."""
    config = settings.feedback
    rules, _ = active_rules(config.recommendations, settings.catalogue)
    keys = [rule_key(rule) for rule in rules]
    episodes = history.episodes(session, config.recommendation_period, keys)
    return [e.message for e in episodes if e.closed_period is None]


def _scope(periods: tuple[PeriodKind, ...], since: date | None) -> Callable[[str], bool]:
    """Whether a pushed record's key (``kind:period:digest``) was aggregated by this run."""

    def in_scope(key: str) -> bool:
        kind, _, rest = key.partition(":")
        period = rest[:10]
        return kind in periods and (since is None or period >= since.isoformat())

    return in_scope
