"""The contact-properties target's payloads: per HubSpot contact, what sales said about the
lead of another source that has its email.

A contact matched by a disqualified lead gets its status, reason and local day of
disqualification; when several leads match one contact (duplicates in the other CRM), the
latest disqualification speaks. A contact pushed before whose leads moved on gets their
current status and the reason and date cleared, so marketing's lists and suppressions let it
go. A lead whose email two live contacts share is reported, never guessed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sync.feedback.targets import DISQUALIFIED_ON, REASON, SALES_STATUS
from sync.store.contact_matches import Match

Payload = dict[str, str]


@dataclass
class ContactPayloads:
    payloads: dict[str, Payload] = field(default_factory=dict)
    #: one line per lead whose email matches several contacts
    ambiguous: list[str] = field(default_factory=list)


def _latest(match: Match) -> tuple[str, str, str]:
    stamp = match.modified_at.isoformat() if match.modified_at else ""
    return (match.disqualified_day or "", stamp, match.lead_id)


def contact_payloads(disqualified: Iterable[Match], pushed: Iterable[Match]) -> ContactPayloads:
    """Payloads for the contacts matched now and those pushed before (see the docstring)."""
    found = ContactPayloads()
    chosen: dict[str, Match] = {}
    doubtful: set[str] = set()
    for match in disqualified:
        if match.contacts > 1:
            doubtful.add(match.contact_id)
            found.ambiguous.append(
                f"{match.source} lead {match.lead_id}: its email belongs to {match.contacts} "
                f"HubSpot contacts; none updated"
            )
        elif match.contact_id not in chosen or _latest(match) > _latest(chosen[match.contact_id]):
            chosen[match.contact_id] = match
    for contact, match in chosen.items():
        if contact not in doubtful:
            found.payloads[contact] = {
                SALES_STATUS: match.status or "",
                REASON: match.code or "",
                DISQUALIFIED_ON: match.disqualified_day or "",
            }
    _moved_on(found, pushed, doubtful)
    found.ambiguous = sorted(set(found.ambiguous))
    return found


def _moved_on(found: ContactPayloads, pushed: Iterable[Match], doubtful: set[str]) -> None:
    latest: dict[str, Match] = {}
    for match in pushed:
        if match.contact_id in found.payloads or match.contact_id in doubtful:
            continue
        seen = latest.get(match.contact_id)
        if seen is None or _latest(match) > _latest(seen):
            latest[match.contact_id] = match
    for contact, match in latest.items():
        status = match.status if match.lead_id else None
        found.payloads[contact] = {SALES_STATUS: status or "", REASON: "", DISQUALIFIED_ON: ""}
