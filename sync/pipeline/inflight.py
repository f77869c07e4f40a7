"""Write-back batches in flight: recorded before they are sent, reconciled after a crash.

A batch's items go SENDING (committed) before the connector sends it, and its outcomes are
committed after. A worker killed in between (right after the CRM applied the batch, or before
it reached the CRM) leaves the items SENDING: only the CRM knows what happened. The next
write-back of that source, before it sends anything else, re-runs each such batch through the
connector's conflict-checked write marked *maybe sent*: the re-read finds leadloop's values
where the batch landed (SENT, ``applied``, the record's stamp for undo), the evaluated
values where it did not (written now, as the crashed run would have), and anything else where
a person changed the record meanwhile (CONFLICT). The end state and what ``undo`` can revert
are then those of a run that never crashed.

One write-back per source runs at a time (the scheduler holds the source's lease, and a
SQLite store has one writer): a batch in flight that another run left is a dead run's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from sync.pipeline import outbox
from sync.pipeline.sources import Source
from sync.store import outbox as store_outbox
from sync.store.models import OutboxItem

Clock = Callable[[], datetime]


def send(
    session: Session, source: Source, items: Sequence[OutboxItem], run_id: int, clock: Clock
) -> dict[str, int]:
    """Write claimed ``items``: in flight (committed) first, then sent, then their outcomes
    recorded in the session (the caller commits). Counts per state."""
    batch = outbox.to_corrections(items, task_ids=outbox.task_ids_of(session, items))
    store_outbox.mark_sending(items, run_id, clock())
    session.commit()  # from here on a crash leaves the batch in flight, to be reconciled
    outcomes = source.connector.write(batch.corrections)
    return outbox.record_outcomes(batch, outcomes, run_id, clock())


def reconcile(session: Session, source: Source, run_id: int, clock: Clock) -> dict[str, int]:
    """Settle every batch a dead run of ``source`` left in flight, batch by batch (each
    committed). Counts per state, plus ``reconciled``: how many items were in flight."""
    counts: dict[str, int] = {}
    while items := store_outbox.in_flight(session, source.name, run_id, source.batch_size):
        batch = outbox.to_corrections(items, True, outbox.task_ids_of(session, items))
        outcomes = source.connector.write(batch.corrections)
        for state, n in outbox.record_outcomes(batch, outcomes, None, clock()).items():
            counts[state] = counts.get(state, 0) + n
        counts["reconciled"] = counts.get("reconciled", 0) + len(items)
        session.commit()
    return counts
