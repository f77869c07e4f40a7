"""``leadloop undo RUN_ID``: write back the before-values of what a run changed.

Conflict-checked like any write: a record edited since our write (its modstamp moved past the
one our write produced) is skipped and reported, never overwritten.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from connectors.base import TASK_FIELD, OutcomeStatus, WriteOutcome
from sync.lease import Worker
from sync.pipeline.lifecycle import Guard, Lifecycle, SourceReport
from sync.pipeline.outbox import Batch, Reading, group_corrections, task_ids_of
from sync.pipeline.sources import Source
from sync.store import review_tasks, runs
from sync.store.models import OutboxItem
from sync.store.outbox import mark_undone, sent_by_run
from sync.store.sql import chunks


class UndoError(Exception):
    """The run cannot be undone (unknown, a dry run, or still running)."""


@dataclass
class UndoReport:
    run_id: int
    undo_run_id: int | None = None
    reverted: int = 0
    conflicts: list[str] = field(default_factory=list)  # "source/record: why"
    failed: list[str] = field(default_factory=list)


def undoable(session: Session, run_id: int) -> list[OutboxItem]:
    """The items ``run_id`` actually changed in a CRM and that are not undone yet."""
    run = runs.get_run(session, run_id)
    if run is None:
        raise UndoError(f"no run {run_id} (see `leadloop status` for recent runs)")
    if run.dry_run:
        raise UndoError(f"run {run_id} was a dry run: it wrote nothing")
    return sent_by_run(session, run_id)


def _after_our_write(group: Sequence[OutboxItem]) -> datetime | None:
    stamps = [i.sent_modstamp for i in group if i.sent_modstamp is not None]
    return max(stamps) if stamps else None


#: undo writes the before-values back where the records still read as our write left them
REVERSAL = Reading(lambda i: i.old_value, lambda i: {i.crm_field: i.new_value}, _after_our_write)


def _reversals(session: Session, items: list[OutboxItem]) -> Batch:
    """The items' before-values, expected on the records as our write left them."""
    return group_corrections(items, "undo", REVERSAL, task_ids=task_ids_of(session, items))


def undo_run(
    sessions: sessionmaker[Session],
    sources: dict[str, Source],
    run_id: int,
    clock: Callable[[], datetime],
    guard: Guard | None = None,
    worker: str | None = None,
) -> UndoReport:
    """Revert run ``run_id`` in every CRM it wrote to, as a run of kind ``undo``.

    ``guard(session)`` runs before each CRM write (the caller holds the sources' leases).
    """
    report = UndoReport(run_id)
    with sessions() as session:
        undoable(session, run_id)  # refuses an unknown run or a dry run before a run starts

    def body(session: Session, run: SourceReport, check: Guard) -> None:
        report.undo_run_id = run.run_id
        assert run.run_id is not None
        items = sent_by_run(session, run_id)  # loaded in this session: their outcomes land here
        for source_name in sorted({i.source for i in items}):
            source = sources[source_name]
            reversals = _reversals(session, [i for i in items if i.source == source_name])
            for chunk in chunks(reversals.corrections, source.batch_size):
                check(session)
                session.commit()
                outcomes = source.connector.write(chunk)
                _record(
                    session, report, reversals, outcomes, Done(source_name, run.run_id, clock())
                )
                session.commit()
                run.counts.update(
                    reverted=report.reverted,
                    conflicts=len(report.conflicts),
                    failed=len(report.failed),
                )

    Lifecycle(sessions, clock, worker or Worker.current().instance).run(None, "undo", body, guard)
    return report


@dataclass(frozen=True)
class Done:
    """Where and when an undo batch was written: the source, the undo run, the time."""

    source: str
    undo_run_id: int
    at: datetime


def _record(
    session: Session,
    report: UndoReport,
    reversals: Batch,
    outcomes: Sequence[WriteOutcome],
    done: Done,
) -> None:
    restored: list[review_tasks.TaskWrite] = []  # tasks that now say what they said before
    for outcome in outcomes:
        group = reversals.items[outcome.key]
        where = f"{done.source}/{outcome.record_id}"
        if outcome.status is OutcomeStatus.SENT:
            report.reverted += 1
            mark_undone(session, [item.id for item in group], done.undo_run_id)
            restored += [
                (i, outcome.remote_id, i.old_value) for i in group if i.crm_field == TASK_FIELD
            ]
        elif outcome.status is OutcomeStatus.CONFLICT:
            report.conflicts.append(f"{where}: {outcome.message or 'edited since our write'}")
        else:
            report.failed.append(f"{where}: {outcome.message or outcome.status.value}")
    review_tasks.record(restored, done.at)
