"""Duplicate emails within one source: a finding on each lead naming the others that share it.

Two live leads of one source with the same (normalized) email are one person entered twice:
their reasons and statuses disagree, and the feedback counts the person twice. Each duplicate
gets a ``duplicates`` finding naming up to :data:`NAMED` others (the lowest lead ids, so the
text stays the same while a large group grows: no rewrite of thousands of findings per page);
it resolves when the lead no longer shares its email (changed, deleted or merged away).

Each page settles the findings of the leads it touched and of the groups of their emails
(before and after the page): the first members of each group, all of them only when those
first members changed. Re-reading an unchanged page writes nothing; a full resync creates the
findings of a store that predates them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from sync.domain import Lead
from sync.pipeline.policies import Finding
from sync.store import emails as email_store
from sync.store import findings as findings_store
from sync.store.emails import EmailGroup, Member
from sync.store.leads import LeadKey, lead_key

DUPLICATES_POLICY = "duplicates"
#: other records a finding names
NAMED = 10


@dataclass(frozen=True)
class Touched:
    """A lead of the page: its email while it was live before the page, and now."""

    lead_id: int
    external_id: str
    before: str | None
    after: str | None


def touched(fresh: Sequence[tuple[int, Lead]], previous: Mapping[LeadKey, Lead]) -> list[Touched]:
    """The page's leads (lead id, lead) with their live emails before and after."""
    found = []
    for lead_id, lead in fresh:
        before = previous.get(lead_key(lead))
        found.append(Touched(lead_id, lead.external_id, _live_email(before), _live_email(lead)))
    return found


def _live_email(lead: Lead | None) -> str | None:
    if lead is None or lead.is_deleted or lead.merged_into:
        return None
    return lead.email or None


def sync_duplicates(
    session: Session, source: str, leads: Sequence[Touched], run_id: int | None, now: datetime
) -> int:
    """Settle the duplicate-email findings of ``leads`` and their groups; return how many
    opened."""
    emails = {email for t in leads for email in (t.before, t.after) if email}
    groups = email_store.email_groups(session, source, emails, NAMED + 1)
    left = {t.before for t in leads if t.before != t.after}
    # a lead whose email changed may leave a group; one alone with an unchanged email
    # cannot hold a duplicate finding, so it is not even looked at
    current: dict[int, tuple[Finding, ...]] = {t.lead_id: () for t in leads if t.before != t.after}
    for email, group in groups.items():
        if group.size == 1:
            if email in left:  # the one left behind
                current[group.head[0][0]] = ()
            continue
        for lead_id, _ in _scope(session, source, email, group, leads):
            current[lead_id] = (_finding(email, group, lead_id),)
    if not current:
        return 0
    only = frozenset({DUPLICATES_POLICY})
    return findings_store.sync_findings(session, current, run_id, now, only=only)


def _scope(
    session: Session, source: str, email: str, group: EmailGroup, leads: Sequence[Touched]
) -> list[Member]:
    """The members whose finding may change: the group's first ones and the page's, or all
    of them when the page changed who comes first."""
    if group.size > len(group.head) and _head_moved(email, group, leads):
        return email_store.email_members(session, source, email)
    members = dict(group.head)
    members.update((t.lead_id, t.external_id) for t in leads if t.after == email)
    return list(members.items())


def _head_moved(email: str, group: EmailGroup, leads: Sequence[Touched]) -> bool:
    last = group.head[-1][0]
    first = {lead_id for lead_id, _ in group.head}
    for t in leads:
        if t.before == email and t.after != email and t.lead_id < last:
            return True  # left from among the first: the next one moves up
        if t.after == email and t.before != email and t.lead_id in first:
            return True  # joined among the first
    return False


def _finding(email: str, group: EmailGroup, lead_id: int) -> Finding:
    others = [external_id for other, external_id in group.head if other != lead_id][:NAMED]
    more = group.size - 1 > len(others)
    named = ", ".join(others) + (" and more" if more else "")
    return Finding(
        policy=DUPLICATES_POLICY,
        code="duplicate_email",
        severity="warning",
        message=f"other leads of this source have {email} too: {named}",
        evidence={"email": email, "others": others, "more": more},
        field="email",
    )
