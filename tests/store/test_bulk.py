"""The bulk path (execute_many): rows as tuples store what session.execute stores."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from sync.store.base import Base
from sync.store.leads import upsert_leads
from sync.store.sql import execute_many
from tests.builders import NOW, lead

_RAW = Base.metadata.tables["raw_payloads"]
_NAMES = ("lead_id", "payload", "fetched_at")


def test_given_rows_as_tuples_when_executed_many_then_stored_as_by_session_execute(
    session: Session,
) -> None:
    ids = [
        r.lead_id
        for r in upsert_leads(session, [lead(external_id="a"), lead(external_id="b")], NOW).values()
    ]
    payload = {"Name": "Zoë", "nested": {"n": [1, None]}}
    later = NOW + timedelta(hours=1)
    execute_many(session, insert(_RAW), _NAMES, [(ids[0], payload, later)])
    session.execute(insert(_RAW), [{"lead_id": ids[1], "payload": payload, "fetched_at": later}])
    rows = session.execute(select(_RAW.c.payload, _RAW.c.fetched_at).order_by(_RAW.c.lead_id))
    assert [tuple(row) for row in rows] == [(payload, later), (payload, later)]


def test_given_a_column_with_a_default_left_out_when_executed_many_then_refused(
    session: Session,
) -> None:
    outbox = Base.metadata.tables["outbox"]
    with pytest.raises(ValueError, match="state"):
        execute_many(session, insert(outbox), ("lead_id", "source"), [(1, "salesforce")])
