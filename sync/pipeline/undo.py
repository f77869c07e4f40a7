"""``leadloop undo RUN_ID``: write back the before-values of what a run changed.

Conflict-checked like any write: a record edited since our write (its modstamp moved past the
one our write produced) is skipped and reported, never overwritten.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from connectors.base import Correction, OutcomeStatus, WriteOutcome
from sync.pipeline import runs
from sync.pipeline.sources import Source
from sync.store.models import OutboxItem, OutboxState, Run


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
    return list(session.scalars(select(OutboxItem).where(
        OutboxItem.sent_run_id == run_id, OutboxItem.state == OutboxState.SENT,
        OutboxItem.applied.is_(True), OutboxItem.undone_by_run_id.is_(None),
    ).order_by(OutboxItem.id)))


def _reversals(items: list[OutboxItem]) -> dict[str, tuple[Correction, list[OutboxItem]]]:
    grouped: dict[tuple[str, str], list[OutboxItem]] = {}
    for item in items:
        grouped.setdefault((item.source, item.external_id), []).append(item)
    result = {}
    for (_source, external_id), group in grouped.items():
        key = f"undo:{group[0].id}"
        stamps = [i.sent_modstamp for i in group if i.sent_modstamp is not None]
        result[key] = (Correction(key=key, record_id=external_id,
                                  changes={i.crm_field: i.old_value for i in group},
                                  expected_modstamp=max(stamps) if stamps else None), group)
    return result


def undo_run(sessions: sessionmaker[Session], sources: dict[str, Source], run_id: int,
             clock: Callable[[], datetime]) -> UndoReport:
    """Revert run ``run_id`` in every CRM it wrote to."""
    report = UndoReport(run_id)
    with sessions() as session:
        items = undoable(session, run_id)
        undo = runs.start(session, "undo", None, False, clock())
        report.undo_run_id = undo.id
        session.commit()
        for source_name in sorted({i.source for i in items}):
            source = sources[source_name]
            reversals = _reversals([i for i in items if i.source == source_name])
            for start in range(0, len(reversals), source.batch_size):
                keys = list(reversals)[start:start + source.batch_size]
                outcomes = source.connector.write([reversals[k][0] for k in keys])
                _record(report, reversals, outcomes, source_name, undo.id)
                session.commit()
        runs.succeed(session, undo.id, {"reverted": report.reverted,
                                        "conflicts": len(report.conflicts),
                                        "failed": len(report.failed)}, clock())
        session.commit()
    return report


def _record(report: UndoReport, reversals: dict[str, tuple[Correction, list[OutboxItem]]],
            outcomes: Sequence[WriteOutcome], source: str, undo_run_id: int) -> None:
    for outcome in outcomes:
        correction, group = reversals[outcome.key]
        where = f"{source}/{correction.record_id}"
        if outcome.status is OutcomeStatus.SENT:
            report.reverted += 1
            for item in group:
                item.undone_by_run_id = undo_run_id
        elif outcome.status is OutcomeStatus.CONFLICT:
            report.conflicts.append(f"{where}: {outcome.message or 'edited since our write'}")
        else:
            report.failed.append(f"{where}: {outcome.message or outcome.status.value}")
