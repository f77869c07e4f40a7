"""Live leads of one source that share an email: the groups behind duplicate-email findings.

Cheap for large orgs: a page asks only about the emails it touched, on the ``(source, email)``
index; the database counts each group and ranks only the shared ones by lead id, returning
their first members, never a whole group of thousands sharing a placeholder address (unless
asked for it).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from sync.store.models import LeadRow
from sync.store.sql import chunks

Member = tuple[int, str]  # (lead id, external id)


@dataclass
class EmailGroup:
    """The live leads of one source with one email: how many, and the first by lead id."""

    size: int = 0
    head: list[Member] = field(default_factory=list)


def _live(source: str) -> ColumnElement[bool]:
    return (
        (LeadRow.source == source) & LeadRow.is_deleted.is_(False) & LeadRow.merged_into.is_(None)
    )


def email_groups(
    session: Session, source: str, emails: Collection[str], head: int
) -> dict[str, EmailGroup]:
    """For each of ``emails`` held by a live lead of ``source``: the group's size and its
    ``head`` members of lowest lead id (of a group of one: its lead id alone, external id
    unread). Most emails are held once: one GROUP BY tells them apart on the index, and only
    shared ones are ranked."""
    groups: dict[str, EmailGroup] = {}
    for chunk in chunks(sorted(emails)):
        counted = (
            select(LeadRow.email, func.count(), func.min(LeadRow.id))
            .where(_live(source), LeadRow.email.in_(chunk))
            .group_by(LeadRow.email)
        )
        for email, size, first in session.execute(counted):
            if email is not None:  # never: the IN list holds none
                groups[email] = EmailGroup(size, [(first, "")])
    shared = [email for email, group in groups.items() if group.size > 1]
    for chunk in chunks(shared):
        for email, members in _heads(session, source, chunk, head).items():
            groups[email].head = members
    return groups


def _heads(
    session: Session, source: str, emails: Collection[str], head: int
) -> dict[str, list[Member]]:
    ranked = (
        select(
            LeadRow.id,
            LeadRow.external_id,
            LeadRow.email,
            func.row_number().over(partition_by=LeadRow.email, order_by=LeadRow.id).label("rank"),
        )
        .where(_live(source), LeadRow.email.in_(emails))
        .subquery()
    )
    query = select(ranked).where(ranked.c.rank <= head).order_by(ranked.c.email, ranked.c.rank)
    heads: dict[str, list[Member]] = {}
    for lead_id, external_id, email, _ in session.execute(query):
        heads.setdefault(email, []).append((lead_id, external_id))
    return heads


def email_members(session: Session, source: str, email: str) -> list[Member]:
    """Every live lead of ``source`` with ``email``, by lead id."""
    query = (
        select(LeadRow.id, LeadRow.external_id)
        .where(_live(source), LeadRow.email == email)
        .order_by(LeadRow.id)
    )
    return [(lead_id, external_id) for lead_id, external_id in session.execute(query)]
