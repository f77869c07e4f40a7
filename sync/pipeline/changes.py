"""From policy corrections (canonical) to outbox rows (CRM field and value, idempotency key)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from mappings.loader import SourceMapping
from sync.domain import Lead
from sync.pipeline.normalize import to_crm_changes
from sync.pipeline.policies import Change, PolicyContext, crm_value


@dataclass(frozen=True)
class PlannedWrite:
    """One field of one CRM record to write, as the outbox stores it."""

    key: str
    source: str
    external_id: str
    field: str  # canonical
    crm_field: str
    old_value: str | None
    new_value: str | None
    policy: str
    reason: str
    expected_modstamp: datetime | None


def idempotency_key(
    source: str, external_id: str, crm_field: str, value: str | None, modstamp: datetime | None
) -> str:
    """Same record, field, value and evaluated version -> same key, so a re-run after a crash
    enqueues nothing new; a later human edit (new modstamp) gets a new key."""
    stamp = modstamp.isoformat() if modstamp else "-"
    text = "\x1f".join((source, external_id, crm_field, "\x00" if value is None else value, stamp))
    return hashlib.sha256(text.encode()).hexdigest()


def plan_writes(
    lead: Lead, corrections: tuple[Change, ...], mapping: SourceMapping, ctx: PolicyContext
) -> list[PlannedWrite]:
    """The CRM writes for ``corrections`` of ``lead`` (fields the mapping cannot write are
    dropped: the policies only propose writes for mapped fields)."""
    planned = []
    for correction in corrections:
        value = crm_value(correction, ctx)
        crm = to_crm_changes(mapping, {correction.field: correction.new})
        ((crm_field, crm_new),) = crm.items()
        if correction.field not in ("status", "review_flag"):
            crm_new = value
        planned.append(
            PlannedWrite(
                key=idempotency_key(
                    lead.source, lead.external_id, crm_field, crm_new, lead.modified_at
                ),
                source=lead.source,
                external_id=lead.external_id,
                field=correction.field,
                crm_field=crm_field,
                new_value=crm_new,
                # undo writes old_value back: for the status that is the CRM's own value
                old_value=lead.raw_status if correction.field == "status" else correction.old,
                policy=correction.policy,
                reason=correction.reason,
                expected_modstamp=lead.modified_at,
            )
        )
    return planned
