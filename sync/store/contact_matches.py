"""Which HubSpot contacts get feedback: those whose email is a disqualified lead's of another
source (read from the counted leads, :mod:`sync.store.facts`), and those pushed before.

Matching is by the stored, normalized email against the target source's live contacts: the
store already holds them (the sync pulls them), so finding them costs no API call. An email
that two live contacts share is not guessed: the caller reports it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql import ColumnElement

from sync.store.facts import FACTS
from sync.store.models import FeedbackPush, LeadRow

F = FACTS.c


@dataclass(frozen=True)
class Match:
    """A contact and the lead of another source that has its email."""

    contact_id: str
    source: str
    lead_id: str
    status: str | None
    code: str | None  # None unless the lead is disqualified
    disqualified_day: str | None  # local day, YYYY-MM-DD
    modified_at: datetime | None
    contacts: int  # live contacts with this email: more than one is ambiguous


def _live(row: Any) -> ColumnElement[bool]:
    return and_(row.is_deleted.is_(False), row.merged_into.is_(None))


def disqualified_matches(session: Session, target: str) -> list[Match]:
    """Contacts of ``target`` whose email is a counted disqualified lead's of another source."""
    contact, lead = aliased(LeadRow, name="contact"), aliased(LeadRow, name="lead")
    count = func.count().over(partition_by=F.lead_id)
    query = (
        select(
            contact.external_id,
            F.source,
            lead.external_id,
            F.status,
            F.code,
            F.disqualified_day,
            lead.modified_at,
            count,
        )
        .select_from(FACTS)
        .join(lead, lead.id == F.lead_id)
        .join(contact, and_(contact.email == F.email, contact.source == target))
        .where(F.source != target, F.code.is_not(None), _live(contact))
    )
    return [
        Match(str(c), s, str(i), st, code, None if day is None else str(day), m, n)
        for c, s, i, st, code, day, m, n in session.execute(query)
    ]


def pushed_contacts(session: Session, target: str, name: str) -> list[Match]:
    """Contacts pushed before (``feedback_pushes`` target ``name``) with every lead of another
    source sharing their email (one Match per such lead; ``lead_id`` "" when there is none)."""
    contact, lead = aliased(LeadRow, name="contact"), aliased(LeadRow, name="lead")
    shares_email = and_(lead.email == contact.email, lead.source != target, _live(lead))
    query = (
        select(contact.external_id, lead.source, lead.external_id, lead.status, lead.modified_at)
        .select_from(FeedbackPush)
        .join(contact, and_(contact.external_id == FeedbackPush.key, contact.source == target))
        .outerjoin(lead, shares_email)
        .where(FeedbackPush.target == name, _live(contact))
    )
    return [
        Match(str(c), s or "", i or "", st, None, None, m, 1)
        for c, s, i, st, m in session.execute(query)
    ]
