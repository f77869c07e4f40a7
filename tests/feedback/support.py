"""Builders for feedback tests: a config with both sources, and leads with a status story.

A story is the statuses a lead went through, each at a time; every step is stored the way the
pipeline stores a pull (:func:`upsert_leads` then :func:`record_status_changes`), so the
status history is the one leadloop would have observed.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from sync.config.settings import Settings, load_settings
from sync.domain import Lead, Status
from sync.store.history import record_status_changes
from sync.store.leads import upsert_leads
from tests.builders import NOW, lead

CONFIG = """\
store:
  url: {store}
sources:
  salesforce:
    type: salesforce
    connection:
      instance_url: http://127.0.0.1:9
      login_url: http://127.0.0.1:9
      auth: {{method: session, session_id: {{file: secret}}}}
  hubspot:
    type: hubspot
    connection:
      base_url: http://127.0.0.1:9
      access_token: {{file: secret}}
reasons:
  catalogue: {catalogue}
feedback:
{feedback}
"""

Step = tuple[Status, datetime]


def settings_for(
    folder: Path, store: str, feedback: str = "", catalogue: str = "default"
) -> Settings:
    """Settings with a Salesforce and a HubSpot source (never contacted) and ``feedback``
    lines (indented two spaces) under ``feedback:``."""
    (folder / "secret").write_text("not-a-real-secret\n", encoding="utf-8")
    path = folder / "leadloop.yaml"
    body = feedback or "  periods: [week, month]\n"
    path.write_text(
        CONFIG.format(store=store, catalogue=catalogue, feedback=body), encoding="utf-8"
    )
    return load_settings(path, env={})


def story(external_id: str, steps: list[Step], **fields: Any) -> list[Lead]:
    """The copies of one lead as pulled after each of its ``steps`` (status, when): each
    entered its status at its step's stamp, as the pipeline's entry times say of a status
    change a pull shows (:mod:`sync.pipeline.entry`)."""
    base = lead(external_id=external_id, **fields)
    created = fields.get("created_at", steps[0][1])
    return [
        replace(base, status=status, created_at=created, modified_at=at, status_changed_at=at)
        for status, at in steps
    ]


def store_stories(session: Session, *stories: list[Lead]) -> None:
    """Store every lead's copies in time order, as successive pulls would."""
    copies = sorted((c for s in stories for c in s), key=lambda c: c.modified_at or NOW)
    for copy in copies:
        observed = (copy.modified_at or NOW) + timedelta(minutes=5)
        results = upsert_leads(session, [copy], observed)
        record_status_changes(session, [copy], results, observed)
    session.commit()
