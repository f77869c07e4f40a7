"""The status-driven reason policies, each a pure ``(lead, previous, ctx) -> Evaluation``.

Each returns the issues it sees on the lead as it is; :func:`~.engine.evaluate` merges them.
Whitespace-only reasons count as empty everywhere. Deleted and merged leads never reach a
policy (the engine skips them).
"""

from __future__ import annotations

from connectors.durations import format_duration
from sync.domain import REASON_FIELDS, Lead
from sync.pipeline.policies.model import Change, Evaluation, PolicyContext
from sync.pipeline.policies.outcome import (
    NOTHING,
    Concern,
    aware,
    concat,
    iso,
    label,
    present,
    quoted,
    settle,
    utc_day,
)

CLEAR_REASONS_ON_EXIT = "clear_reasons_on_exit"
REQUIRE_REASON = "require_reason"

_FIELD_OF_STATUS = {status: name for name, status in REASON_FIELDS.items()}


def clear_reasons_on_exit(lead: Lead, previous: Lead | None, ctx: PolicyContext) -> Evaluation:
    """A reason that belongs to another status than the lead's no longer applies: clear it.

    Unqualified -> Nurture clears only the unqualified reason, Nurture -> Unqualified only the
    nurture reason, any other status both. Only the current status decides, so a lead first
    seen (``previous`` None) as Working with an old unqualified reason is cleared too;
    ``previous`` only tells the message which status the lead left. A lead whose status is not
    in the mapping's vocabulary (None) is left alone: nobody knows which reason applies.
    """
    if lead.status is None:
        return NOTHING
    return concat(
        _clear(lead, previous, ctx, name)
        for name, status in REASON_FIELDS.items()
        if status is not lead.status and present(getattr(lead, name))
    )


def _clear(lead: Lead, previous: Lead | None, ctx: PolicyContext, name: str) -> Evaluation:
    value: str = getattr(lead, name)
    left = previous.status if previous and previous.status is not lead.status else None
    where = f"the lead moved from {left} to {lead.status}" if left else f"the lead is {lead.status}"
    issue = Concern(
        policy=CLEAR_REASONS_ON_EXIT,
        code="lingering_reason",
        severity="warning",
        message=f"{label(name)} {quoted(value)} no longer applies: {where}",
        flag=f"{label(name)} {quoted(value)} no longer applies",
        field=name,
        evidence={
            "field": name,
            "value": value,
            "status": str(lead.status),
            "previous_status": str(left) if left else None,
        },
    )
    fix = Change(
        field=name,
        old=value,
        new=None,
        policy=CLEAR_REASONS_ON_EXIT,
        reason=f"{label(name)} does not apply to status {lead.status}",
    )
    return settle(issue, ctx.config.clear_reasons_on_exit.mode, lead, ctx, (fix,))


def require_reason(lead: Lead, previous: Lead | None, ctx: PolicyContext) -> Evaluation:
    """A nurture/unqualified lead without a reason once the grace period is over.

    The grace period runs from ``status_changed_at``, when the lead entered its status (the
    pipeline always sets it, see :mod:`sync.pipeline.entry`), never from ``modified_at``:
    leadloop's own flag write moves that one, and the flag would come and go. A lead without
    the time is past it. The period is over at exactly ``grace_period`` after that moment.
    There is no automatic fix (nobody but the rep knows the reason), so mode ``fix`` flags.
    """
    if lead.status not in _FIELD_OF_STATUS:
        return NOTHING
    name = _FIELD_OF_STATUS[lead.status]
    if present(getattr(lead, name)):
        return NOTHING
    grace = ctx.config.require_reason.grace_period
    since = aware(lead.status_changed_at) if lead.status_changed_at is not None else None
    if since is not None and ctx.now - since < grace:
        return NOTHING
    issue = Concern(
        policy=REQUIRE_REASON,
        code="missing_reason",
        severity="warning",
        message=f"{lead.status} lead has no {label(name)} after the grace period of "
        f"{format_duration(grace)}",
        flag=f"{lead.status} without a reason" + (f" since {utc_day(since)}" if since else ""),
        field=name,
        evidence={
            "field": name,
            "status": str(lead.status),
            "since": iso(since),
            "grace_period": format_duration(grace),
        },
    )
    return settle(issue, ctx.config.require_reason.mode, lead, ctx)
