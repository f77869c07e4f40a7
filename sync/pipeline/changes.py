"""From policy corrections (canonical) to outbox rows (CRM field and value, idempotency key)."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from connectors.base import TASK_FIELD
from mappings.loader import SourceMapping
from sync.domain import REASON_FIELDS, Lead
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
    #: CRM field -> the value the decision was made on (see :func:`evaluated_values`)
    expected: Mapping[str, str | None] = dataclasses.field(default_factory=dict)


#: the canonical fields a correction of a field was decided on, besides that field itself
DEPENDS_ON: dict[str, tuple[str, ...]] = {
    "status": tuple(REASON_FIELDS),
    "review_flag": ("status", *REASON_FIELDS),
}


def evaluated_values(lead: Lead, mapping: SourceMapping, canonical: str) -> dict[str, str | None]:
    """The CRM values a correction of ``canonical`` was decided on, as the CRM gave them: the
    field itself and the fields its decision depended on (the status for a reason fix, the
    reasons for a status fix, both for the review flag). The writer refuses the correction
    when one of them reads otherwise at write time."""
    names = (canonical, *DEPENDS_ON.get(canonical, ("status",)))
    values: dict[str, str | None] = {}
    for name in names:
        try:
            crm_field = mapping.crm_field(name)
        except KeyError:  # not mapped: nothing to compare
            continue
        values[crm_field] = _as_text(lead.raw.get(crm_field))
    return values


def _as_text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def idempotency_key(
    source: str, external_id: str, crm_field: str, value: str | None, modstamp: datetime | None
) -> str:
    """Same record, field, value and evaluated version -> same key, so a re-run after a crash
    enqueues nothing new; a later human edit (new modstamp) gets a new key."""
    stamp = modstamp.isoformat() if modstamp else "-"
    text = "\x1f".join((source, external_id, crm_field, "\x00" if value is None else value, stamp))
    return hashlib.sha256(text.encode()).hexdigest()


def crm_write(correction: Change, mapping: SourceMapping, ctx: PolicyContext) -> tuple[str, Any]:
    """The CRM field and value ``correction`` writes; a review flag on the ``task`` channel
    writes :data:`TASK_FIELD` (a task for the record's owner)."""
    if correction.field == "review_flag" and mapping.flag_channel == "task":
        return TASK_FIELD, correction.new
    crm = to_crm_changes(mapping, {correction.field: correction.new})
    ((crm_field, crm_new),) = crm.items()
    if correction.field not in ("status", "review_flag"):
        crm_new = crm_value(correction, ctx)
    return crm_field, crm_new


def plan_writes(
    lead: Lead, corrections: tuple[Change, ...], mapping: SourceMapping, ctx: PolicyContext
) -> list[PlannedWrite]:
    """The CRM writes for ``corrections`` of ``lead`` (fields the mapping cannot write are
    dropped: the policies only propose writes for mapped fields)."""
    planned = []
    for correction in corrections:
        crm_field, crm_new = crm_write(correction, mapping, ctx)
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
                expected=evaluated_values(lead, mapping, correction.field),
            )
        )
    return planned
