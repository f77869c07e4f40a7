"""One sync cycle per source: pull -> ingest (page by page) -> re-check due leads -> write back.

Every page commits with its cursor; outcomes commit per write batch; the run row carries a
heartbeat. Kill the process anywhere and the next run converges (see ingest and outbox).
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy.orm import Session, sessionmaker

from connectors.base import Cursor, Page, Window
from sync.config.settings import Settings
from sync.domain import REASON_FIELDS
from sync.logs import redact
from sync.pipeline import inflight, outbox
from sync.pipeline.changes import PlannedWrite
from sync.pipeline.due import reevaluate_due
from sync.pipeline.ingest import Counts, IngestContext, ingest_page
from sync.pipeline.policies import PolicyContext
from sync.pipeline.prefetch import prefetch
from sync.pipeline.sources import Source
from sync.pipeline.writability import review_flag_form
from sync.store import cursors, review_tasks, runs
from sync.store import outbox as store_outbox
from sync.store.states import RunState

log = logging.getLogger(__name__)
STREAM = "leads"
#: a running run whose heartbeat is older than this belongs to a dead worker
STALE_AFTER = timedelta(minutes=10)
SyncMode = Literal["incremental", "full", "since", "ids"]
Progress = Callable[[int], None]


@dataclass(frozen=True)
class SyncRequest:
    mode: SyncMode = "incremental"
    since: datetime | None = None
    ids: Sequence[str] = ()
    dry_run: bool = False
    allow_mass_change: bool = False


@dataclass
class SourceReport:
    source: str
    run_id: int | None
    counts: dict[str, int] = field(default_factory=dict)
    planned: list[PlannedWrite] = field(default_factory=list)
    error: str | None = None


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class RunLost(Exception):
    """Another worker declared this run dead: stop at once."""


class ChangeBudgetExceeded(Exception):
    """Write-back would touch more records than ``limits.change_budget`` allows."""


def policy_context(
    settings: Settings, source: Source, now: datetime, session: Session
) -> PolicyContext:
    """The policies' view of ``source``: catalogue, picklist options (one describe), the form
    of its review flags (and, for the task channel, the leads' open tasks), now."""
    options = {}
    for name in REASON_FIELDS:
        if name in source.mapping.fields:
            options[name] = source.connector.field_options(source.mapping.crm_field(name))
    mapping = source.mapping
    writable = {name for name, spec in mapping.fields.items() if spec.writable}
    if mapping.status_write_values:
        writable.add("status")
    if mapping.flags:
        writable.add("review_flag")
    tasks = mapping.flag_channel == "task"
    return PolicyContext(
        catalogue=settings.catalogue_for(source.name),
        crm=mapping.crm,
        now=now,
        config=settings.policies,
        field_options=options,
        review_flag=mapping.flags,
        flag_form=review_flag_form(mapping, source.connector),
        open_flags=review_tasks.open_texts(session, source.name) if tasks else None,
        writable=frozenset(writable),
    )


class Engine:
    """Runs sync cycles for configured sources against one store."""

    def __init__(
        self,
        settings: Settings,
        sessions: sessionmaker[Session],
        clock: Callable[[], datetime],
        progress: Callable[[str], Progress] | None = None,
    ):
        self.settings = settings
        self.sessions = sessions
        self.clock = clock
        self.progress = progress or (lambda _label: lambda _n: None)

    def sync(self, source: Source, request: SyncRequest) -> SourceReport:
        """One cycle for ``source``. A dry run rolls everything back and returns the diff."""
        now = self.clock()
        session = self.sessions()
        try:
            runs.mark_stale_runs_dead(session, now, STALE_AFTER)
            run = runs.start_run(
                session,
                "sync" if request.mode == "incremental" else "resync",
                now,
                source.name,
                worker_id(),
                request.dry_run,
            )
            report = SourceReport(source.name, None if request.dry_run else run.id)
            if not request.dry_run:
                session.commit()
            try:
                self._cycle(session, source, request, run.id, now, report)
            except Exception as exc:
                session.rollback()
                if not request.dry_run:
                    runs.finish_run(
                        session,
                        run.id,
                        RunState.FAILED,
                        self.clock(),
                        report.counts,
                        redact(str(exc)),
                    )
                    session.commit()
                report.error = str(exc)
                raise
            if request.dry_run:
                session.rollback()
            else:
                runs.finish_run(session, run.id, RunState.SUCCEEDED, self.clock(), report.counts)
                session.commit()
            return report
        finally:
            session.close()

    def _cycle(
        self,
        session: Session,
        source: Source,
        request: SyncRequest,
        run_id: int,
        now: datetime,
        report: SourceReport,
    ) -> None:
        totals = Counts(keep_planned=request.dry_run)
        lazy = _LazyContext(lambda: policy_context(self.settings, source, now, session))
        tick = self.progress(f"{source.name}: pulling")
        for page in self._overlapped(self._pages(session, source, request, now), lazy):
            if page.records:
                ctx = IngestContext(source, lazy.get(), run_id, now)
                totals.add(ingest_page(session, ctx, page.records))
                tick(len(page.records))
            if page.cursor is not None and request.mode == "incremental":
                position = cursors.Position(page.cursor.modstamp, page.cursor.record_id)
                cursors.set_cursor(session, source.name, STREAM, position, now, window_end=now)
            self._beat(session, run_id)
            if not request.dry_run:
                session.commit()
        since = runs.last_success_start(session, source.name)
        totals.add(
            reevaluate_due(
                session,
                source,
                lambda: IngestContext(source, lazy.get(), run_id, now),
                since,
                now,
                self.settings.policies,
            )
        )
        report.counts.update(totals.as_dict())
        report.planned = totals.planned
        report.counts["api_calls_pull"] = source.connector.usage.calls
        if not request.dry_run:
            session.commit()
            if source.write_back:
                report.counts.update(self._write_back(session, source, run_id, request, now))
        report.counts["api_calls"] = source.connector.usage.calls

    def _beat(self, session: Session, run_id: int) -> None:
        if not runs.heartbeat(session, run_id, self.clock()):
            raise RunLost(
                f"run {run_id} was marked dead by another worker (heartbeat stalled "
                f"over {STALE_AFTER}); stopping without further writes"
            )

    @staticmethod
    def _overlapped(pages: Iterator[Page], lazy: _LazyContext) -> Iterator[Page]:
        """The first page as read; the rest prefetched while the previous one is stored.

        The policy context (one describe call) is built from this thread before prefetching
        starts, so the connector is never used by two threads at once.
        """
        first = next(pages, None)
        if first is None:
            return
        yield first
        if first.records:
            lazy.get()
        yield from prefetch(pages)

    def _pages(
        self, session: Session, source: Source, request: SyncRequest, now: datetime
    ) -> Iterator[Page]:
        connector = source.connector
        if request.mode == "full":
            return connector.pull_all()
        if request.mode == "ids":
            return connector.pull_ids(list(request.ids))
        if request.mode == "since":
            if request.since is None:
                raise ValueError("resync --since needs a start time")
            return connector.pull(Window(request.since, now))
        cursor = _cursor(cursors.get_cursor(session, source.name, STREAM))
        return connector.pull(incremental_window(cursor, now, source.lookback))

    def _write_back(
        self, session: Session, source: Source, run_id: int, request: SyncRequest, now: datetime
    ) -> dict[str, int]:
        counts = inflight.reconcile(session, source, run_id, self.clock)  # before any send
        store_outbox.supersede_outdated(session, source.name, now, outbox.SUPERSEDED)
        budget = self.settings.limits.change_budget
        pending, total = store_outbox.pending_records(session, source.name)
        if not request.allow_mass_change and pending:
            share = 100.0 * pending / max(total, 1)
            if pending > budget.max_records or share > budget.max_percent:
                raise ChangeBudgetExceeded(
                    f"{source.name}: change budget exceeded: write-back would change {pending} "
                    f"records ({share:.1f}% of {total}); the limit is {budget.max_records} "
                    f"records or {budget.max_percent:g}% (limits.change_budget). Review with "
                    f"`leadloop sync --source {source.name} --dry-run`, then rerun with "
                    f"--allow-mass-change."
                )
        tick = self.progress(f"{source.name}: writing")
        while items := store_outbox.claim_batch(session, source.name, source.batch_size, now):
            for state, n in inflight.send(session, source, items, run_id, self.clock).items():
                counts[state] = counts.get(state, 0) + n
            self._beat(session, run_id)
            session.commit()
            tick(len(items))
        return counts


def _cursor(position: cursors.Position | None) -> Cursor | None:
    return None if position is None else Cursor(position.modstamp, position.record_id)


def incremental_window(cursor: Cursor | None, end: datetime, lookback: timedelta) -> Window:
    """``[cursor - lookback, end)``: the overlap re-reads records a lagging index or a
    same-instant tie may have hidden last time (re-reading is harmless: upserts and keys are
    idempotent). No cursor: everything up to ``end``."""
    if cursor is None:
        return Window(None, end)
    start = min(cursor.modstamp - lookback, end - timedelta(seconds=1))
    return Window(start, end)


class _LazyContext:
    """Builds the policy context (one describe call) only when a record needs it."""

    def __init__(self, build: Callable[[], PolicyContext]):
        self._build = build
        self._value: PolicyContext | None = None

    def get(self) -> PolicyContext:
        if self._value is None:
            self._value = self._build()
        return self._value
