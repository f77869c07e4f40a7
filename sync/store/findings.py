"""Findings: what policies flagged on leads, open until the policy stops seeing them.

At most one open finding exists per (lead, policy, code): seeing it again touches it
(``last_seen_at``, message, evidence), so a finding's age is how long the problem has lasted.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sync.store.models import Finding

FindingKey = tuple[str, str]  # (policy, code)


def open_or_touch_finding(
    session: Session,
    lead_id: int,
    policy: str,
    code: str,
    now: datetime,
    severity: str = "warning",
    message: str = "",
    evidence: Mapping[str, Any] | None = None,
    run_id: int | None = None,
) -> tuple[Finding, bool]:
    """Open a finding, or touch the open one with the same (lead, policy, code).

    Returns the finding and whether it was newly opened.
    """
    finding = session.scalars(
        select(Finding).where(
            Finding.lead_id == lead_id,
            Finding.policy == policy,
            Finding.code == code,
            Finding.resolved_at.is_(None),
        )
    ).one_or_none()
    created = finding is None
    if finding is None:
        finding = Finding(lead_id=lead_id, policy=policy, code=code, first_seen_at=now)
        session.add(finding)
    finding.severity, finding.message, finding.evidence = severity, message, dict(evidence or {})
    finding.last_seen_at, finding.run_id = now, run_id
    session.flush()
    return finding, created


def resolve_findings_not_in(
    session: Session, lead_id: int, current_keys: Collection[FindingKey], now: datetime
) -> int:
    """Resolve the lead's open findings whose (policy, code) is not in ``current_keys``.

    Call it after evaluating every policy on the lead; returns how many were resolved.
    """
    query = select(Finding).where(Finding.lead_id == lead_id, Finding.resolved_at.is_(None))
    keep = set(current_keys)
    resolved = 0
    for finding in session.scalars(query):
        if (finding.policy, finding.code) not in keep:
            finding.resolved_at = now
            resolved += 1
    session.flush()
    return resolved


def open_findings(session: Session, lead_id: int) -> list[Finding]:
    """The lead's open findings, oldest first."""
    query = select(Finding).where(Finding.lead_id == lead_id, Finding.resolved_at.is_(None))
    return list(session.scalars(query.order_by(Finding.first_seen_at, Finding.id)))
