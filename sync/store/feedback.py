"""Feedback pushes: what was last pushed per (target, key), so only changes are pushed again."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from sync.store.models import FeedbackPush
from sync.store.sql import chunks, dialect_insert


@dataclass(frozen=True)
class PushRecord:
    """One aggregate pushed to ``target`` under ``key``; ``payload_hash`` identifies its content."""

    key: str
    payload_hash: str
    remote_id: str | None = None


def pushed_hashes(session: Session, target: str, keys: Collection[str]) -> dict[str, str]:
    """The payload hash last pushed to ``target`` for each of ``keys`` (absent: never pushed)."""
    found: dict[str, str] = {}
    for chunk in chunks(sorted(set(keys))):
        query = select(FeedbackPush.key, FeedbackPush.payload_hash).where(
            FeedbackPush.target == target, FeedbackPush.key.in_(chunk)
        )
        found.update({row.key: row.payload_hash for row in session.execute(query)})
    return found


def pushed_state(session: Session, target: str) -> dict[str, PushRecord]:
    """Everything pushed to ``target``: key -> its last hash and remote id."""
    query = select(FeedbackPush.key, FeedbackPush.payload_hash, FeedbackPush.remote_id).where(
        FeedbackPush.target == target
    )
    return {
        row.key: PushRecord(row.key, row.payload_hash, row.remote_id)
        for row in session.execute(query)
    }


def forget_pushes(session: Session, target: str, keys: Collection[str]) -> None:
    """Forget ``keys`` of ``target`` (their record is gone from the CRM)."""
    for chunk in chunks(sorted(set(keys))):
        session.execute(
            delete(FeedbackPush).where(FeedbackPush.target == target, FeedbackPush.key.in_(chunk))
        )


def record_pushes(
    session: Session, target: str, pushes: Iterable[PushRecord], now: datetime
) -> None:
    """Remember ``pushes`` as the latest content pushed to ``target`` (upsert per key)."""
    rows = [
        {"target": target, "key": p.key, "payload_hash": p.payload_hash, "pushed_at": now,
         "remote_id": p.remote_id}
        for p in pushes
    ]  # fmt: skip
    if not rows:
        return
    statement = dialect_insert(session, FeedbackPush)
    statement = statement.on_conflict_do_update(
        index_elements=[FeedbackPush.target, FeedbackPush.key],
        set_={
            "payload_hash": statement.excluded.payload_hash,
            "pushed_at": statement.excluded.pushed_at,
            # a push that learnt no remote id keeps the one known from before
            "remote_id": func.coalesce(statement.excluded.remote_id, FeedbackPush.remote_id),
        },
    )
    session.execute(statement, rows)
