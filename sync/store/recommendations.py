"""The recommendations' history: episodes (opened, held, closed) and how far each rule is judged.

Every function takes the caller's session and never commits: one feedback run judges its
periods and writes the episodes in its own transaction.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sync.store.models import RecommendationRow, RecommendationRule

Group = tuple[str, str, str]  # (source, lead_source, campaign)


def group_key(group: Group) -> str:
    """A short stable key of a group (its values may be long texts)."""
    return hashlib.sha256(json.dumps(list(group)).encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Held:
    """A rule held for a group in a period: what an open episode records."""

    period: str
    group: Group
    reason: str
    message: str
    evidence: dict[str, Any]


def judged_through(session: Session, rule_key: str, kind: str) -> str | None:
    """The last period ``rule_key`` was judged on in ``kind`` periods (None: never)."""
    mark = session.get(RecommendationRule, (rule_key, kind))
    return None if mark is None else mark.evaluated_through


def mark_judged(session: Session, rule_key: str, kind: str, through: str, now: datetime) -> None:
    """Remember that ``rule_key`` was judged on every period up to ``through``."""
    mark = session.get(RecommendationRule, (rule_key, kind))
    if mark is None:
        session.add(RecommendationRule(rule_key=rule_key, period_kind=kind,
                                       evaluated_through=through, updated_at=now))  # fmt: skip
    else:
        mark.evaluated_through, mark.updated_at = through, now


def open_episodes(session: Session, rule_key: str, kind: str) -> dict[Group, RecommendationRow]:
    """The open episodes of ``rule_key``, per group."""
    rows = session.scalars(
        select(RecommendationRow).where(
            RecommendationRow.rule_key == rule_key,
            RecommendationRow.period_kind == kind,
            RecommendationRow.closed_period.is_(None),
        )
    )
    return {(r.source, r.lead_source, r.campaign): r for r in rows}


def open_episode(
    session: Session, rule_key: str, kind: str, held: Held, now: datetime
) -> RecommendationRow:
    """Open an episode: ``held`` is its first period."""
    source, lead_source, campaign = held.group
    row = RecommendationRow(
        rule_key=rule_key, period_kind=kind, group_key=group_key(held.group), source=source,
        lead_source=lead_source, campaign=campaign, reason=held.reason,
        first_period=held.period, last_period=held.period, raised_at=now,
        message=held.message, evidence=held.evidence,
    )  # fmt: skip
    session.add(row)
    return row


def extend_episode(row: RecommendationRow, held: Held) -> None:
    """The episode's rule held again, in ``held.period``: it stays open with these numbers."""
    row.last_period, row.message, row.evidence = held.period, held.message, held.evidence


def close_episode(row: RecommendationRow, period: str, now: datetime) -> None:
    """The rule no longer holds in ``period``: the episode closes there."""
    row.closed_period, row.closed_at = period, now


def episodes(session: Session, kind: str, rule_keys: Sequence[str]) -> list[RecommendationRow]:
    """Every episode of ``rule_keys`` in ``kind`` periods, open ones first, newest first."""
    query = (
        select(RecommendationRow)
        .where(RecommendationRow.period_kind == kind, RecommendationRow.rule_key.in_(rule_keys))
        .order_by(
            RecommendationRow.closed_period.is_not(None),
            RecommendationRow.first_period.desc(),
            RecommendationRow.id,
        )
    )
    return list(session.scalars(query))
