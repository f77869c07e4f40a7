"""The canonical lead: what every CRM record becomes after normalization.

Pure data, no I/O. The store persists it, policies read it, the feedback step aggregates it.
Reason fields hold the CRM's own value (as the rep typed or picked it); the reason catalogue
(:mod:`mappings.catalogue`) says which canonical code, if any, that value means.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


class Status(enum.StrEnum):
    NEW = "new"
    WORKING = "working"
    NURTURE = "nurture"
    UNQUALIFIED = "unqualified"
    QUALIFIED = "qualified"
    CONVERTED = "converted"

    @property
    def disqualified(self) -> bool:
        return self in (Status.NURTURE, Status.UNQUALIFIED)


#: canonical reason fields, and the status each belongs to
REASON_FIELDS: dict[str, Status] = {
    "nurture_reason": Status.NURTURE,
    "unqualified_reason": Status.UNQUALIFIED,
}


@dataclass(frozen=True)
class Lead:
    """A lead in canonical form, keyed by ``(source, external_id)``.

    ``source`` is the configured source name (e.g. ``salesforce``); ``status`` is None when the
    CRM's value is not in the mapping's vocabulary (``raw_status`` keeps it, a finding says so).
    """

    source: str
    external_id: str
    status: Status | None
    raw_status: str | None = None
    nurture_reason: str | None = None
    unqualified_reason: str | None = None
    reason_detail: str | None = None
    email: str | None = None
    phone: str | None = None
    company: str | None = None
    industry: str | None = None
    country: str | None = None
    title: str | None = None
    lead_source: str | None = None
    campaign: str | None = None
    score: float | None = None
    wants_call: bool = False
    owner: str | None = None
    created_at: datetime | None = None
    #: when the lead entered its current status: the CRM's own date when the mapping reads one,
    #: else what leadloop knows (sync.pipeline.entry); never a stamp leadloop's writes move
    status_changed_at: datetime | None = None
    modified_at: datetime | None = None
    is_deleted: bool = False
    merged_into: str | None = None
    converted_at: datetime | None = None
    #: the mapping's review-flag field (leadloop's note to reps); None when empty or unmapped
    review_flag: str | None = None
    #: the CRM held an email (a phone) that the normalizer rejected: ``email`` (``phone``) is
    #: then None, and this tells "invalid" from "missing" (feedback's contact-data validity)
    email_invalid: bool = False
    phone_invalid: bool = False
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
