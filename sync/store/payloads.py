"""Raw payloads: the latest CRM payload of each lead (older ones are overwritten)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from sync.store.models import RawPayload
from sync.store.sql import dialect_insert


def store_raw_payloads(
    session: Session, payloads: Mapping[int, Mapping[str, Any]], fetched_at: datetime
) -> None:
    """Keep ``payloads`` (lead id -> CRM payload) as each lead's latest raw payload."""
    if not payloads:
        return
    rows = [
        {"lead_id": lead_id, "payload": dict(payload), "fetched_at": fetched_at}
        for lead_id, payload in payloads.items()
    ]
    statement = dialect_insert(session, RawPayload)
    statement = statement.on_conflict_do_update(
        index_elements=[RawPayload.lead_id],
        set_={"payload": statement.excluded.payload, "fetched_at": statement.excluded.fetched_at},
    )
    session.execute(statement, rows)
