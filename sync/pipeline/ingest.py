"""One page of CRM records -> leads, history, payloads, findings and outbox rows, atomically.

The caller owns the transaction: everything :func:`ingest_page` writes, and the cursor the
caller advances afterwards, commit together or not at all, so a crash at any point re-reads
the page on the next run and converges (idempotency keys make re-enqueueing a no-op).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from connectors.base import SourceRecord
from sync.domain import Lead
from sync.pipeline import outbox
from sync.pipeline.changes import PlannedWrite, plan_writes
from sync.pipeline.duplicates import DUPLICATES_POLICY, sync_duplicates, touched
from sync.pipeline.entry import with_entry_times
from sync.pipeline.normalize import Problem, normalize
from sync.pipeline.policies import Finding, PolicyContext, evaluate
from sync.pipeline.sources import Source
from sync.store import findings as findings_store
from sync.store import history, payloads
from sync.store import leads as lead_store
from sync.store.leads import LeadKey

NORMALIZE_POLICY = "normalize"


@dataclass
class Counts:
    """What a step did; summed into the run's counts."""

    pulled: int = 0
    stored: int = 0
    problems: int = 0
    corrections: int = 0
    findings: int = 0
    status_changes: int = 0
    planned: list[PlannedWrite] = field(default_factory=list)
    #: keep every planned write (a dry run prints them); off, a long run keeps only counts
    keep_planned: bool = True

    def add(self, other: Counts) -> None:
        for name in ("pulled", "stored", "problems", "corrections", "findings", "status_changes"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        if self.keep_planned:
            self.planned.extend(other.planned)

    def as_dict(self) -> dict[str, int]:
        return {
            name: getattr(self, name)
            for name in (
                "pulled",
                "stored",
                "problems",
                "corrections",
                "findings",
                "status_changes",
            )
        }


@dataclass(frozen=True)
class IngestContext:
    source: Source
    #: the policy context, built on first use (a page read again unchanged needs none)
    policy_context: Callable[[], PolicyContext]
    run_id: int | None  # None in a dry run (nothing is kept)
    now: datetime
    #: leave records read again exactly as stored alone (an incremental sync: they were
    #: evaluated when stored, and time alone is the due step's); a resync evaluates them all,
    #: so that a policy switched on reaches them
    skip_unchanged: bool = False

    @property
    def policies(self) -> PolicyContext:
        return self.policy_context()


def problem_findings(problems: Sequence[Problem]) -> tuple[Finding, ...]:
    """Normalization problems as findings, so a bad record is visible and never lost."""
    return tuple(
        Finding(
            policy=NORMALIZE_POLICY,
            code=p.code,
            severity="warning",
            field=p.field,
            message=p.message,  # the field is the finding's own column
            evidence={"value": p.value_preview},
        )
        for p in problems
    )


def ingest_page(session: Session, ctx: IngestContext, records: Sequence[SourceRecord]) -> Counts:
    """Store ``records`` and evaluate the policies on them (see the module docstring)."""
    normalized = {}
    for record in records:  # later copies of a record in one page win (ascending modstamps)
        normalized[record.record_id] = normalize(
            ctx.source.name, ctx.source.mapping, record, ctx.now
        )
    keys = [(n.lead.source, n.lead.external_id) for n in normalized.values()]
    stored = lead_store.load_stored(session, keys)
    previous = {key: found.lead for key, found in stored.items()}
    leads, bases = with_entry_times([n.lead for n in normalized.values()], previous, ctx.now)
    results = lead_store.upsert_leads(
        session, leads, ctx.now, known={key: found.row for key, found in stored.items()}
    )
    fresh = [
        (results[(lead.source, lead.external_id)].lead_id, lead)
        for lead in leads
        if not results[(lead.source, lead.external_id)].stale
    ]
    changes = history.record_status_changes(
        session, [lead for _, lead in fresh], results, ctx.now, ctx.run_id, bases
    )
    changed = [
        (i, lead) for i, lead in fresh if not _same_record(lead, results[lead_store.lead_key(lead)])
    ]
    payloads.store_raw_payloads(session, {i: lead.raw for i, lead in changed}, ctx.now)
    work = changed if ctx.skip_unchanged else fresh
    extra = {i: problem_findings(normalized[lead.external_id].problems) for i, lead in work}
    counts = evaluate_leads(session, ctx, work, previous, extra)
    counts.findings += sync_duplicates(
        session, ctx.source.name, touched(work, previous), ctx.run_id, ctx.now
    )
    # stored: leads new or changed (a resync evaluates every lead but rewrites only these)
    counts.pulled, counts.stored, counts.status_changes = len(records), len(changed), changes
    counts.problems = sum(len(found) for found in extra.values())
    return counts


def _same_record(lead: Lead, result: lead_store.UpsertResult) -> bool:
    """Whether the CRM record is the one already stored: same canonical fields and the same
    modstamp (the CRM bumps it on every write), so its stored raw payload is still current.
    A re-pulled page (the lookback overlap, a resync) then rewrites no payloads."""
    return result.unchanged and lead.modified_at is not None


def evaluate_leads(
    session: Session,
    ctx: IngestContext,
    leads: Sequence[tuple[int, Lead]],
    previous: Mapping[LeadKey, Lead],
    extra: Mapping[int, tuple[Finding, ...]] | None = None,
    keep: frozenset[str] = frozenset(),
) -> Counts:
    """Evaluate ``leads`` (lead id, lead), sync their findings and enqueue their writes."""
    counts = Counts()
    found: dict[int, tuple[Finding, ...]] = {}
    planned: dict[int, list[PlannedWrite]] = {}
    for lead_id, lead in leads:
        evaluation = evaluate(lead, previous.get((lead.source, lead.external_id)), ctx.policies)
        found[lead_id] = (*evaluation.findings, *(extra or {}).get(lead_id, ()))
        writes = plan_writes(lead, evaluation.corrections, ctx.source.mapping, ctx.policies)
        if writes:
            planned[lead_id] = writes
            counts.planned.extend(writes)
    keep = keep | {DUPLICATES_POLICY}  # settled per email group, not per lead
    counts.findings = findings_store.sync_findings(session, found, ctx.run_id, ctx.now, keep)
    if ctx.source.write_back:
        counts.corrections = outbox.enqueue(session, planned, ctx.run_id, ctx.now)
    return counts
