"""Raw payloads: the latest CRM payload of each lead (older ones are overwritten)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import UpdateBase

from sync.store.models import RawPayload
from sync.store.sql import dialect_insert, execute_many

_RAW = RawPayload.__table__
_NAMES = ("lead_id", "payload", "fetched_at")


def store_raw_payloads(
    session: Session, payloads: Mapping[int, Mapping[str, Any]], fetched_at: datetime
) -> None:
    """Keep ``payloads`` (lead id -> CRM payload) as each lead's latest raw payload."""
    rows = [(lead_id, dict(payload), fetched_at) for lead_id, payload in payloads.items()]
    execute_many(session, _upsert(session.get_bind().dialect.name), _NAMES, rows)


@cache
def _upsert(dialect: str) -> UpdateBase:
    """INSERT ... ON CONFLICT (lead_id) DO UPDATE, on the table (Core, not the ORM's bulk
    path), built once per dialect."""
    statement = dialect_insert(dialect, _RAW)
    return statement.on_conflict_do_update(
        index_elements=[_RAW.c.lead_id],
        set_={"payload": statement.excluded.payload, "fetched_at": statement.excluded.fetched_at},
    )
