"""What ``leadloop status`` shows: per source cursor, recent runs, outbox and findings."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from sync.store.summary import recent_runs, source_summary

STREAM = "leads"


def status(session: Session, sources: list[str]) -> dict[str, Any]:
    """Everything ``leadloop status`` prints, as JSON-ready data."""
    return {
        "sources": [source_summary(session, name, STREAM) for name in sources],
        "other_runs": [r for r in recent_runs(session, None, 5) if r["kind"] == "undo"],
    }
