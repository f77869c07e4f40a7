"""Write-back of a source's waiting outbox items, behind the change budget.

Above ``limits.change_budget`` nothing is written: the writes wait for approval
(``leadloop approve RUN_ID`` writes those the run held) while later cycles keep pulling and
evaluating. The lease guard runs before every CRM write, so a worker that lost its source's
lease stops before writing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from sync.config.models import ChangeBudget
from sync.pipeline import inflight, outbox
from sync.pipeline.sources import Source
from sync.store import outbox as store_outbox

Guard = Callable[[Session], None]
Tick = Callable[[int, "int | None"], None]


@dataclass(frozen=True)
class Held:
    """Writes the change budget holds back: how many records, of how many, against which limit."""

    records: int
    leads: int
    budget: ChangeBudget

    @property
    def share(self) -> float:
        return 100.0 * self.records / max(self.leads, 1)

    def message(self, source: str, run_id: int | None) -> str:
        release = f"`leadloop approve {run_id}`" if run_id else "`leadloop approve RUN_ID`"
        return (
            f"{source}: change budget: writes to {self.records} records ({self.share:.1f}% of "
            f"{self.leads} leads) wait for approval; the limit is {self.budget.max_records} "
            f"records or {self.budget.max_percent:g}% (limits.change_budget). List them with "
            f"`leadloop outbox --source {source} --state pending`, release them with {release} "
            f"(or rerun with --allow-mass-change)"
        )


def over_budget(session: Session, source: str, budget: ChangeBudget) -> Held | None:
    """The waiting writes of ``source`` when they exceed ``budget``, else None."""
    records, leads = store_outbox.pending_records(session, source)
    held = Held(records, leads, budget)
    if records and (records > budget.max_records or held.share > budget.max_percent):
        return held
    return None


def settle_in_flight(
    session: Session, source: Source, run_id: int, clock: Callable[[], datetime]
) -> dict[str, int]:
    """Reconcile the batches a dead run of ``source`` left in flight against the CRM, and
    supersede the waiting writes their leads no longer want (each committed); counts."""
    counts = inflight.reconcile(session, source, run_id, clock)
    store_outbox.supersede_outdated(session, source.name, clock(), outbox.SUPERSEDED)
    session.commit()
    return counts


def write_back(
    session: Session,
    source: Source,
    run_id: int,
    now: datetime,
    clock: Callable[[], datetime],
    guard: Guard,
    tick: Tick,
    through_id: int | None = None,
) -> dict[str, int]:
    """Write the due items of ``source`` (those up to ``through_id`` when given) in batches;
    ``guard`` before each CRM write, a commit after it; return counts per outcome."""
    counts: dict[str, int] = {}
    size = source.batch_size
    while True:
        # the lease check commits on its own: on SQLite, a write lock held through the CRM
        # call would stall every other process on the store
        guard(session)
        session.commit()
        items = store_outbox.claim_batch(session, source.name, size, now, through_id)
        if not items:
            break
        for state, n in inflight.send(session, source, items, run_id, clock).items():
            counts[state] = counts.get(state, 0) + n
        session.commit()
        tick(len(items), None)
    return counts
