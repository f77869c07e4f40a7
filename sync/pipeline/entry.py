"""When a lead entered its status: ``Lead.status_changed_at``, as far as leadloop knows.

The grace period of ``require_reason`` (and the re-evaluation of due leads) counts from this
moment, so it must never come from a stamp leadloop's own write moves: a flag write bumps
SystemModstamp / lastmodifieddate, and a grace period counted from it ended the finding on the
next run and opened it again a grace period later, for ever (issue 9.1). In order:

1. the CRM's own status-changed date, when the mapping reads one and the record has it;
2. while the status stays the same, the time already stored (our writes never change it);
3. a status leadloop sees change between two pulls: the CRM's stamp on the pull that first
   shows it (``observed``; later than the change by at most the time between two pulls);
4. a lead first seen already in its status: its stamp then (``first_seen``). The lead entered
   the status at that time or before, so the grace period never ends early: a rep always gets
   it in full. (Its ``CreatedDate`` would be a lower bound: it would flag at once a lead
   created a year ago and disqualified yesterday.) Where the CRM keeps the field's history
   (HubSpot ``propertiesWithHistory``), :func:`refine_first_seen` reads the exact time for the
   leads where it could end the grace period sooner, once per lead.

Salesforce's LeadHistory is not read: field history tracking is off unless an admin turns it
on for Status (at most 20 fields per object, kept 18 months), so most orgs would spend the
queries for nothing; those orgs get rule 4, which errs on the rep's side.
(https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_objects_leadhistory.htm)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from connectors.base import FieldHistory
from mappings.loader import SourceMapping
from sync.domain import Lead, Status
from sync.pipeline.policies import PoliciesConfig
from sync.pipeline.sources import Source
from sync.store import history
from sync.store import leads as lead_store
from sync.store.leads import LeadKey, lead_key


def with_entry_times(
    leads: Sequence[Lead], previous: Mapping[LeadKey, Lead], now: datetime
) -> tuple[list[Lead], dict[LeadKey, str]]:
    """``leads`` with ``status_changed_at`` set (rules 1-4 of the module docstring), and how
    each time is known (a :data:`sync.store.history.BASES` name)."""
    timed, bases = [], {}
    for lead in leads:
        key = lead_key(lead)
        before = previous.get(key)
        if lead.status_changed_at is not None:
            bases[key] = history.CRM_FIELD
            timed.append(lead)
            continue
        if before is not None and before.status == lead.status and before.status_changed_at:
            entered = before.status_changed_at
        else:
            entered = lead.modified_at or now
            bases[key] = history.FIRST_SEEN if before is None else history.OBSERVED
        timed.append(_entered(lead, entered))
    return timed, bases


def _entered(lead: Lead, when: datetime) -> Lead:
    """``lead`` with ``status_changed_at`` set: ``dataclasses.replace`` without re-running
    ``__init__`` over all 27 fields (13 us a lead on a full sync's hot path; this 1 us)."""
    copy = object.__new__(Lead)
    copy.__dict__.update(lead.__dict__)
    copy.__dict__["status_changed_at"] = when
    return copy


def entered_at(
    values: Sequence[tuple[str | None, datetime]], mapping: SourceMapping, status: Status | None
) -> datetime | None:
    """When the status field took a value meaning ``status`` and kept meaning it, from the
    field's history (newest first); None when the newest value does not mean it."""
    entered = None
    for value, stamp in values:
        if status is None or mapping.status_of(value or "") != status.value:
            break
        entered = stamp
    return entered


def refine_first_seen(
    session: Session, source: Source, now: datetime, config: PoliciesConfig
) -> list[tuple[int, LeadKey]]:
    """Read the CRM's history for the leads first seen without their reason whose grace
    period an earlier entry time could end (at most once per lead); store the times found.
    Returns (lead id, key) of the leads whose time moved earlier."""
    connector = source.connector
    if not config.require_reason.enabled or not isinstance(connector, FieldHistory):
        return []
    if "status" not in source.mapping.fields:
        return []
    grace = config.require_reason.grace_period
    candidates = history.first_seen_unverified(session, source.name, now - grace, now - grace)
    if not candidates:
        return []
    field = source.mapping.crm_field("status")
    values = connector.field_history(field, [external_id for _, external_id in candidates])
    stored = lead_store.load_leads(session, [(source.name, e) for _, e in candidates])
    entries = {
        lead_id: _earliest(stored[(source.name, e)], values.get(e, []), source.mapping, now)
        for lead_id, e in candidates
    }
    moved = {
        lead_id: _entered(stored[(source.name, e)], entries[lead_id])
        for lead_id, e in candidates
        if entries[lead_id] != stored[(source.name, e)].status_changed_at
    }
    history.verify_first_seen(session, entries)
    lead_store.set_status_changed_at(session, moved, now)
    return [(lead_id, lead_key(lead)) for lead_id, lead in moved.items()]


def _earliest(
    lead: Lead,
    values: Sequence[tuple[str | None, datetime]],
    mapping: SourceMapping,
    now: datetime,
) -> datetime:
    """The earlier of the lead's upper bound (its time so far, at the latest now) and the
    time the CRM's history gives."""
    upper = lead.status_changed_at or now
    return min(entered_at(values, mapping, lead.status) or upper, upper)
