"""The status history: one row per observed status change of a lead."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.orm import Session

from sync.domain import Lead
from sync.store.base import Base
from sync.store.leads import LeadKey, UpsertResult, latest_per_key, status_value


def record_status_changes(
    session: Session,
    leads: Iterable[Lead],
    results: Mapping[LeadKey, UpsertResult],
    now: datetime,
    run_id: int | None = None,
) -> int:
    """Add a history row for each lead first seen or whose status changed; return how many.

    ``results`` is what :func:`upsert_leads` returned for ``leads``. ``changed_at`` is the
    CRM's status-change time when it has one, else its modstamp, else ``now`` (when leadloop
    observed it).
    """
    rows = []
    for key, lead in latest_per_key(leads).items():
        result = results[key]
        if not (result.created or result.status_changed):
            continue
        rows.append(
            {
                "lead_id": result.lead_id,
                "from_status": result.previous_status,
                "to_status": status_value(lead),
                "changed_at": lead.status_changed_at or lead.modified_at or now,
                "observed_at": now,
                "run_id": run_id,
            }
        )
    if rows:
        session.execute(insert(Base.metadata.tables["status_history"]), rows)
    return len(rows)
