"""The tasks leadloop writes for review flags (flag channel ``task``): one row per lead.

The row keeps the task's CRM id (so the writer updates or closes that task without looking
for it) and the text it says while open, which is what the next evaluation compares its flag
with: an unchanged flag writes nothing, a resolved one closes the task.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from sync.store.models import LeadRow, OutboxItem, ReviewTask
from sync.store.sql import chunks


def open_texts(session: Session, source: str) -> dict[str, str]:
    """external id -> the text of the open task leadloop wrote for that lead of ``source``."""
    query = (
        select(LeadRow.external_id, ReviewTask.text)
        .join(LeadRow, LeadRow.id == ReviewTask.lead_id)
        .where(ReviewTask.source == source, ReviewTask.text.is_not(None))
    )
    return {external_id: text for external_id, text in session.execute(query) if text}


def task_ids(session: Session, lead_ids: Collection[int]) -> dict[int, str]:
    """lead id -> the id of the task leadloop last wrote for it."""
    found: dict[int, str] = {}
    for chunk in chunks(sorted(set(lead_ids))):
        query = select(ReviewTask.lead_id, ReviewTask.task_id).where(
            ReviewTask.lead_id.in_(chunk), ReviewTask.task_id.is_not(None)
        )
        found.update({lead_id: task_id for lead_id, task_id in session.execute(query) if task_id})
    return found


#: a task write to record: the outbox item that delivered it, the task's CRM id, its text
TaskWrite = tuple[OutboxItem, str | None, str | None]


def record(writes: Sequence[TaskWrite], now: datetime) -> None:
    """The lead of each write's item now has task ``task_id`` saying ``text`` (None: closed),
    in the items' own session: one query for all of them, not one per lead (a batch of 200
    review tasks used to cost 200 autoflushes and SELECTs)."""
    if not writes:
        return
    session = Session.object_session(writes[0][0])
    assert session is not None, "record() takes items loaded in a session"
    rows: dict[int, ReviewTask] = {}
    for chunk in chunks(sorted({item.lead_id for item, _, _ in writes})):
        query = select(ReviewTask).where(ReviewTask.lead_id.in_(chunk))
        rows.update((row.lead_id, row) for row in session.scalars(query))
    for item, task_id, text in writes:
        row = rows.get(item.lead_id)
        if row is None:
            row = rows[item.lead_id] = ReviewTask(lead_id=item.lead_id, source=item.source)
            session.add(row)
        row.task_id, row.text, row.updated_at = task_id or row.task_id, text, now
