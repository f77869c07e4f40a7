"""Findings: each lead's open findings follow its latest evaluation (opened, touched, resolved)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from sync.store.models import FindingRow
from sync.store.sql import chunks, execute_many


class FindingData(Protocol):
    """What the store keeps of a policy finding (``sync.pipeline.policies.Finding``)."""

    @property
    def policy(self) -> str: ...
    @property
    def code(self) -> str: ...
    @property
    def field(self) -> str | None: ...
    @property
    def severity(self) -> str: ...
    @property
    def message(self) -> str: ...
    @property
    def evidence(self) -> Mapping[str, Any]: ...


FindingKey = tuple[int, str, str, str]
_FINDINGS = FindingRow.metadata.tables["findings"]  # Core executemany, no ORM per-row work
_INSERT = insert(_FINDINGS)
_INSERT_NAMES = (
    *("lead_id", "policy", "code", "field", "severity", "message", "evidence"),
    *("first_seen_at", "last_seen_at", "run_id"),
)
_FIELD_LENGTH: int = _FINDINGS.c.field.type.length  # type: ignore[attr-defined]


def _key(lead_id: int, policy: str, code: str, field: str | None) -> FindingKey:
    # a field named after a CRM field may be longer than the column (a HubSpot property's
    # internal name): cut alike wherever it is compared, or PostgreSQL refuses the row
    return lead_id, policy, code, (field or "")[:_FIELD_LENGTH]


def sync_findings(
    session: Session,
    current: Mapping[int, Sequence[FindingData]],
    run_id: int | None,
    now: datetime,
    keep: frozenset[str] = frozenset(),
    only: frozenset[str] | None = None,
) -> int:
    """Make each lead's open findings equal ``current[lead_id]``; return how many opened.

    A finding still present is touched (``last_seen_at``, latest message and evidence); one no
    longer present is resolved: findings resolve themselves when the data is fixed. Findings
    of the policies in ``keep`` are left as they are (``current`` does not speak for them);
    given ``only``, so are those of every policy not in it. Works in bulk: one query per chunk
    of leads.
    """
    wanted = {
        _key(lead_id, f.policy, f.code, f.field): f
        for lead_id, found in current.items()
        for f in found
    }
    open_rows: dict[FindingKey, FindingRow] = {}
    for chunk in chunks(list(current)):
        for row in session.scalars(
            select(FindingRow).where(
                FindingRow.lead_id.in_(chunk), FindingRow.resolved_at.is_(None)
            )
        ):
            open_rows[_key(row.lead_id, row.policy, row.code, row.field)] = row
    new: list[tuple[object, ...]] = []
    for key, finding in wanted.items():
        existing = open_rows.get(key)
        if existing is None:
            new.append(
                (
                    key[0],
                    finding.policy,
                    finding.code,
                    key[3],
                    finding.severity,
                    finding.message,
                    dict(finding.evidence),
                    now,
                    now,
                    run_id,
                )
            )
        elif existing.message != finding.message or existing.evidence != dict(finding.evidence):
            existing.message, existing.severity = finding.message, finding.severity
            existing.evidence, existing.last_seen_at = dict(finding.evidence), now
    for key, row in open_rows.items():
        mine = row.policy not in keep and (only is None or row.policy in only)
        if key not in wanted and mine:
            row.resolved_at = now
    execute_many(session, _INSERT, _INSERT_NAMES, new)
    return len(new)
