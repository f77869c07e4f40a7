"""``leadloop undo RUN_ID``: write back the before-values of what a run changed.

Conflict-checked like any write: a record edited since our write (its modstamp moved past the
one our write produced) is skipped and reported, never overwritten.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from connectors.base import Correction, OutcomeStatus, WriteOutcome
from sync.pipeline.sources import Source
from sync.store import runs
from sync.store.models import OutboxItem, Run
from sync.store.outbox import mark_undone, sent_by_run
from sync.store.states import RunState


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
    run = session.get(Run, run_id)
    if run is None:
        raise UndoError(f"no run {run_id} (see `leadloop status` for recent runs)")
    if run.dry_run:
        raise UndoError(f"run {run_id} was a dry run: it wrote nothing")
    return sent_by_run(session, run_id)


def _reversals(items: list[OutboxItem]) -> dict[str, tuple[Correction, list[OutboxItem]]]:
    grouped: dict[tuple[str, str], list[OutboxItem]] = {}
    for item in items:
        grouped.setdefault((item.source, item.external_id), []).append(item)
    result = {}
    for (_source, external_id), group in grouped.items():
        key = f"undo:{group[0].id}"
        stamps = [i.sent_modstamp for i in group if i.sent_modstamp is not None]
        result[key] = (
            Correction(
                key=key,
                record_id=external_id,
                changes={i.crm_field: i.old_value for i in group},
                expected_modstamp=max(stamps) if stamps else None,
            ),
            group,
        )
    return result


def undo_run(
    sessions: sessionmaker[Session],
    sources: dict[str, Source],
    run_id: int,
    clock: Callable[[], datetime],
) -> UndoReport:
    """Revert run ``run_id`` in every CRM it wrote to."""
    report = UndoReport(run_id)
    with sessions() as session:
        items = undoable(session, run_id)
        undo = runs.start_run(session, "undo", clock())
        report.undo_run_id = undo.id
        session.commit()
        for source_name in sorted({i.source for i in items}):
            source = sources[source_name]
            reversals = _reversals([i for i in items if i.source == source_name])
            for start in range(0, len(reversals), source.batch_size):
                keys = list(reversals)[start : start + source.batch_size]
                outcomes = source.connector.write([reversals[k][0] for k in keys])
                _record(session, report, reversals, outcomes, source_name, undo.id)
                session.commit()
        runs.finish_run(
            session,
            undo.id,
            RunState.SUCCEEDED,
            clock(),
            {
                "reverted": report.reverted,
                "conflicts": len(report.conflicts),
                "failed": len(report.failed),
            },
        )
        session.commit()
    return report


def _record(
    session: Session,
    report: UndoReport,
    reversals: dict[str, tuple[Correction, list[OutboxItem]]],
    outcomes: Sequence[WriteOutcome],
    source: str,
    undo_run_id: int,
) -> None:
    for outcome in outcomes:
        correction, group = reversals[outcome.key]
        where = f"{source}/{correction.record_id}"
        if outcome.status is OutcomeStatus.SENT:
            report.reverted += 1
            mark_undone(session, [item.id for item in group], undo_run_id)
        elif outcome.status is OutcomeStatus.CONFLICT:
            report.conflicts.append(f"{where}: {outcome.message or 'edited since our write'}")
        else:
            report.failed.append(f"{where}: {outcome.message or outcome.status.value}")
