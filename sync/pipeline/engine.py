"""One sync cycle per source: pull -> ingest (page by page) -> re-check due leads -> write back.

Every page commits with its cursor; outcomes commit per write batch; the run row carries a
heartbeat and ends in one of its final states (succeeded, failed, stopped by the API allowance,
aborted by a signal or a lost lease). Kill the process anywhere and the next run converges
(see ingest and outbox). A dry run writes nothing at all, not even a run row.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy.orm import Session, sessionmaker

from connectors.base import Page, Window
from sync.config.settings import Settings
from sync.lease import Worker
from sync.logs import context
from sync.pipeline import writeback
from sync.pipeline.context import LazyContext, policy_context
from sync.pipeline.due import reevaluate_due
from sync.pipeline.ingest import Counts, IngestContext, ingest_page
from sync.pipeline.lifecycle import STALE_AFTER, Guard, Lifecycle, RunLost, SourceReport, no_guard
from sync.pipeline.prefetch import prefetch
from sync.pipeline.sources import Source
from sync.pipeline.windows import STREAM, IncrementalPull, finish_incremental, plan_incremental
from sync.store import cursors, runs

log = logging.getLogger(__name__)
SyncMode = Literal["incremental", "full", "since", "ids"]
#: progress callback: records done in this step, and the step's total when known
Progress = Callable[[int, "int | None"], None]
__all__ = ["STALE_AFTER", "Engine", "RunLost", "SourceReport", "SyncMode", "SyncRequest"]


@dataclass(frozen=True)
class SyncRequest:
    mode: SyncMode = "incremental"
    since: datetime | None = None
    ids: Sequence[str] = ()
    dry_run: bool = False
    allow_mass_change: bool = False


def _no_progress(_label: str) -> Progress:
    return lambda _n, _total: None


class Engine:
    """Runs sync cycles for configured sources against one store."""

    def __init__(
        self,
        settings: Settings,
        sessions: sessionmaker[Session],
        clock: Callable[[], datetime],
        progress: Callable[[str], Progress] | None = None,
        *,
        worker: Worker | None = None,
    ):
        self.settings = settings
        self.sessions = sessions
        self.clock = clock
        self.progress = progress or _no_progress
        self.worker = worker or Worker.current()
        self._lifecycle = Lifecycle(sessions, clock, self.worker.instance)

    @property
    def last_report(self) -> SourceReport | None:
        """The report of the latest recorded run, also when it raised (its id, its counts)."""
        return self._lifecycle.last

    def sync(
        self, source: Source, request: SyncRequest, guard: Guard | None = None
    ) -> SourceReport:
        """One cycle for ``source``; ``guard(session)`` runs before each commit and CRM write
        (the lease check). A dry run rolls everything back and returns the diff."""
        kind = "sync" if request.mode == "incremental" else "resync"
        if request.dry_run:
            # it writes nothing anywhere, so it needs no lease check (the lease still keeps
            # other runs out); renewing in its never-committed session would hold the lease row
            report = self._lifecycle.last = SourceReport(source.name, None)
            with self.sessions() as session, context(source=source.name, stage="dry run"):
                self._cycle(session, source, request, report, no_guard)
                session.rollback()
            return report
        return self._lifecycle.run(
            source.name, kind, lambda s, r, g: self._cycle(s, source, request, r, g), guard
        )

    def release(self, source: Source, through_id: int, guard: Guard | None = None) -> SourceReport:
        """Write the waiting items of ``source`` up to ``through_id`` (an approval), above the
        change budget: a run of kind ``approve``, undoable like any other."""

        def body(session: Session, report: SourceReport, check: Guard) -> None:
            assert report.run_id is not None
            counts = writeback.settle_in_flight(session, source, report.run_id, self.clock)
            written = self._write(session, source, report, check, through_id)
            report.counts.update(_added(counts, written))

        return self._lifecycle.run(source.name, "approve", body, guard)

    def _cycle(
        self,
        session: Session,
        source: Source,
        request: SyncRequest,
        report: SourceReport,
        guard: Guard,
    ) -> None:
        now, run_id = self.clock(), report.run_id
        lazy = LazyContext(lambda: policy_context(self.settings, source, now, session))
        with context(stage="pull"):
            totals = self._pull(session, source, request, report, guard, now, lazy)
        with context(stage="evaluate"):
            since = runs.last_success_start(session, source.name)
            ctx = lambda: IngestContext(source, lazy.get, run_id, now)  # noqa: E731
            totals.add(reevaluate_due(session, source, ctx, since, now, self.settings.policies))
        report.counts.update(totals.as_dict())
        report.planned = totals.planned
        report.counts["api_calls_pull"] = source.connector.usage.calls
        if not request.dry_run:
            guard(session)
            session.commit()
            if source.write_back:
                with context(stage="write"):
                    report.counts.update(self._write_back(session, source, request, report, guard))
        _usage(report, source)

    def _pull(
        self,
        session: Session,
        source: Source,
        request: SyncRequest,
        report: SourceReport,
        guard: Guard,
        now: datetime,
        lazy: LazyContext,
    ) -> Counts:
        """Store every page with its cursor (a commit each); an incremental pull that read its
        whole window then closes it (:func:`~sync.pipeline.windows.finish_incremental`)."""
        totals = Counts(keep_planned=request.dry_run)
        tick = self.progress(f"{source.name}: pulling")
        incremental = None
        if request.mode == "incremental":
            every = source.deletions_every
            incremental = plan_incremental(session, source.name, now, source.lookback, every)
        skip_unchanged = incremental is not None  # a resync evaluates every record it reads
        source.connector.usage.mark_clock()
        for page in self._overlapped(self._pages(source, request, now, incremental), lazy):
            if page.records:
                ctx = IngestContext(source, lazy.get, report.run_id, now, skip_unchanged)
                totals.add(ingest_page(session, ctx, page.records))
                tick(len(page.records), page.total)
                if request.mode == "ids":
                    report.found_ids.update(r.record_id for r in page.records)
            if page.cursor is not None and incremental is not None:
                position = cursors.Position(page.cursor.modstamp, page.cursor.record_id)
                cursors.set_cursor(session, source.name, STREAM, position, now, window_end=now)
            guard(session)
            if not request.dry_run:
                session.commit()
        if incremental is not None:
            crm_now = source.connector.usage.server_time
            finish_incremental(session, source.name, incremental, crm_now)
        return totals

    def _write_back(
        self,
        session: Session,
        source: Source,
        request: SyncRequest,
        report: SourceReport,
        guard: Guard,
    ) -> dict[str, int]:
        assert report.run_id is not None
        # a batch a dead run left in flight is settled before anything else is sent
        counts = writeback.settle_in_flight(session, source, report.run_id, self.clock)
        if not request.allow_mass_change:
            held = writeback.over_budget(session, source.name, self.settings.limits.change_budget)
            if held is not None:
                report.held = held
                log.warning("%s", held.message(source.name, report.run_id))
                return {**counts, "held": held.records}
        return _added(counts, self._write(session, source, report, guard, None))

    def _write(
        self,
        session: Session,
        source: Source,
        report: SourceReport,
        guard: Guard,
        through: int | None,
    ) -> dict[str, int]:
        assert report.run_id is not None
        tick = self.progress(f"{source.name}: writing")
        counts = writeback.write_back(
            session, source, report.run_id, self.clock(), self.clock, guard, tick, through
        )
        _usage(report, source)
        return counts

    @staticmethod
    def _overlapped(pages: Iterator[Page], lazy: LazyContext) -> Iterator[Page]:
        """The first page as read; the rest prefetched while the previous one is stored.

        The policy context (one describe call) is built only when a record needs evaluating,
        from this thread, under the lock the prefetching thread holds while it reads: the
        connector is never used by two threads at once.
        """
        first = next(pages, None)
        if first is None:
            return
        yield first
        yield from prefetch(pages, lock=lazy.lock)

    def _pages(
        self,
        source: Source,
        request: SyncRequest,
        now: datetime,
        incremental: IncrementalPull | None,
    ) -> Iterator[Page]:
        connector = source.connector
        if incremental is not None and incremental.deletions is not None:
            return connector.pull(incremental.window, deletions=incremental.deletions)
        if incremental is not None:  # deletions come with the changes: the plain contract
            return connector.pull(incremental.window)
        if request.mode == "full":
            return connector.pull_all()
        if request.mode == "ids":
            return connector.pull_ids(list(request.ids))
        if request.mode == "since":
            if request.since is None or request.since >= now:
                raise ValueError("resync --since needs a start time in the past")
            return connector.pull(Window(request.since, now))
        raise ValueError(f"unknown sync mode {request.mode!r}")


def _added(counts: dict[str, int], more: dict[str, int]) -> dict[str, int]:
    """Counts per outcome of two steps, summed."""
    return {key: counts.get(key, 0) + more.get(key, 0) for key in {*counts, *more}}


def _usage(report: SourceReport, source: Source) -> None:
    """The run's API calls, and the org's allowance as the CRM last reported it."""
    usage = source.connector.usage
    report.counts["api_calls"] = usage.calls
    report.counts.update({f"api_calls.{op}": n for op, n in usage.by_operation.items()})
    if usage.used is not None and usage.limit is not None:
        report.counts["api_used"], report.counts["api_limit"] = usage.used, usage.limit
