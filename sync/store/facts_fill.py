"""The statements that fill the feedback step's temporary tables (:mod:`sync.store.facts`):
the counted leads from leads and the reason codes, and the per-day sums.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date
from typing import Any

from sqlalchemy import and_, case, func, insert, literal, or_, select
from sqlalchemy.sql import ColumnElement, Insert

from sync.store.calendar import Shifts, bucket_of, days_between, local_date
from sync.store.feedback_tables import (
    DAILY,
    DAILY_COUNTS,
    DISQUALIFIED,
    FACTS,
    NONE,
    REASON_CODES,
)
from sync.store.models import LeadRow
from sync.store.sql import ONE, ZERO, scanned


def reason_value() -> ColumnElement[Any]:
    """The reason of a disqualified lead: the field of its status (a nurture lead's nurture
    reason, an unqualified lead's unqualified reason)."""
    return case(
        (LeadRow.status == "nurture", LeadRow.nurture_reason),
        (LeadRow.status == "unqualified", LeadRow.unqualified_reason),
    )


def live(sources: Collection[str], scan: bool = False) -> ColumnElement[bool]:
    """Leads of ``sources`` neither deleted nor merged away; ``scan``: most of the table is
    read, in row order rather than looked up from the ``(source, status)`` index."""
    source = scanned(LeadRow.source) if scan else LeadRow.source
    return and_(
        source.in_(sorted(sources)),
        LeadRow.is_deleted.is_(False),
        LeadRow.merged_into.is_(None),
    )


def _named(column: Any) -> ColumnElement[str]:
    """An empty lead source, campaign or owner as ``(none)`` (the normalizer trims text and
    stores an empty value as NULL)."""
    return func.coalesce(column, NONE)


def fill_facts(sources: Collection[str], shifts: Shifts, disqualified_only: bool) -> Insert:
    reason = reason_value()
    disqualified = LeadRow.status.in_(DISQUALIFIED)
    # the start of its current spell when disqualified (kept on the lead as the history is
    # written); a disqualified lead without history (none is stored without it) falls back
    # on stamps
    observed = func.coalesce(
        LeadRow.disqualified_at,
        LeadRow.status_changed_at,
        LeadRow.modified_at,
        LeadRow.first_seen_at,
    )
    no_code = case((reason.is_(None), literal("missing")), else_=literal("unmapped"))
    columns: dict[str, Any] = {
        "lead_id": LeadRow.id,
        "source": LeadRow.source,
        "lead_source": _named(LeadRow.lead_source),
        "campaign": _named(LeadRow.campaign),
        "status": LeadRow.status,
        "email": LeadRow.email,
        "code": _when(disqualified_only, disqualified, func.coalesce(REASON_CODES.c.code, no_code)),
        "email_valid": LeadRow.email.is_not(None),
        "phone_valid": LeadRow.phone.is_not(None),
        "email_invalid": LeadRow.email_invalid,
        "phone_invalid": LeadRow.phone_invalid,
        # the local day only for disqualified leads: for the others the offsets' CASE would
        # compare every bound in turn
        "disqualified_day": _when(disqualified_only, disqualified, local_date(observed, shifts)),
    }
    if not disqualified_only:  # what the funnel and the owners need besides
        columns |= _funnel_columns(reason, disqualified, observed, shifts)
    joined = LeadRow.__table__.outerjoin(
        REASON_CODES,
        and_(REASON_CODES.c.source == LeadRow.source, REASON_CODES.c.value == reason),
    )
    query = select(*columns.values()).select_from(joined).where(live(sources, scan=True))
    if disqualified_only:
        query = query.where(disqualified)
    return insert(FACTS).from_select(list(columns), query)


def _when(always: bool, condition: ColumnElement[bool], value: Any) -> Any:
    """``value`` where ``condition`` holds, else NULL (``always``: every row qualifies)."""
    return value if always else case((condition, value))


def daily_sums(since: date | None, kinds: Sequence[str], week_start: int) -> Insert:
    """Sum the counted disqualified leads per bucket (:class:`bucket_of` the ``kinds`` asked
    for: days, or the parts of weeks within one month) x group x reason."""
    f = FACTS.c
    counted = {
        "leads": f.status.is_not(None), "nurture": f.status == "nurture",
        "unqualified": f.status == "unqualified", "valid_contact": f.email_valid | f.phone_valid,
        "email_valid": f.email_valid, "email_invalid": f.email_invalid,
        "phone_valid": f.phone_valid, "phone_invalid": f.phone_invalid,
    }  # fmt: skip
    sums = [func.sum(case((counted[name], ONE), else_=ZERO)) for name in DAILY_COUNTS]
    bucket = bucket_of(f.disqualified_day, kinds, week_start)
    keys = (bucket, f.source, f.lead_source, f.campaign, f.code)
    query = select(*keys, *sums).where(f.disqualified_day.is_not(None))
    if since is not None:
        query = query.where(f.disqualified_day >= since)
    names = ["day", "source", "lead_source", "campaign", "reason", *DAILY_COUNTS]
    return insert(DAILY).from_select(names, query.group_by(*keys))


def _funnel_columns(
    reason: ColumnElement[Any], disqualified: ColumnElement[bool], observed: Any, shifts: Shifts
) -> dict[str, Any]:
    no_kind = case((reason.is_(None), literal("missing")), else_=literal("unknown"))
    created = func.coalesce(LeadRow.created_at, LeadRow.first_seen_at)
    return {
        "owner": _named(LeadRow.owner),
        "kind": case((disqualified, func.coalesce(REASON_CODES.c.kind, no_kind))),
        "converted": or_(LeadRow.status == "converted", LeadRow.converted_at.is_not(None)),
        # once here, not in each median's sort
        "days_to_disqualify": case((disqualified, days_between(created, observed))),
        "cycle_days": days_between(created, LeadRow.converted_at),
        "created_day": local_date(created, shifts),
    }
