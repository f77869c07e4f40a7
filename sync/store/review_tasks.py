"""The tasks leadloop writes for review flags (flag channel ``task``): one row per lead.

The row keeps the task's CRM id (so the writer updates or closes that task without looking
for it) and the text it says while open, which is what the next evaluation compares its flag
with: an unchanged flag writes nothing, a resolved one closes the task.
"""

from __future__ import annotations

from collections.abc import Collection
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


def record(item: OutboxItem, task_id: str | None, text: str | None, now: datetime) -> None:
    """The lead of ``item`` now has task ``task_id`` saying ``text`` (None: closed), in the
    item's own session."""
    session = Session.object_session(item)
    assert session is not None, "record() takes an item loaded in a session"
    row = session.get(ReviewTask, item.lead_id)
    if row is None:
        row = ReviewTask(lead_id=item.lead_id, source=item.source)
        session.add(row)
    row.task_id, row.text, row.updated_at = task_id or row.task_id, text, now
