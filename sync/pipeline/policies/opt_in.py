"""The two opt-in policies (disabled by default), each ``(lead, previous, ctx) -> Evaluation``."""

from __future__ import annotations

import math

from connectors.durations import format_duration
from sync.domain import Lead, Status
from sync.pipeline.policies.model import Change, Evaluation, Finding, PolicyContext
from sync.pipeline.policies.outcome import NOTHING, Concern, aware, iso, settle

LOW_SCORE_NURTURE = "low_score_nurture"
WANTS_CALL_REOPEN = "wants_call_reopen"


def low_score_nurture(lead: Lead, previous: Lead | None, ctx: PolicyContext) -> Evaluation:
    """A lead still ``new`` at least ``min_age`` after creation, scored under ``threshold``.

    Mode ``fix`` moves it to nurture with ``reason_code`` as the nurture reason (both in one
    evaluation, so the lead never sits in nurture without a reason). Leads without a score or a
    creation time, and leads that asked for a call, are left alone. A ``reason_code`` missing
    from the catalogue, or not a nurture reason, is a configuration error: an ``error``
    finding, no correction. When the CRM does not accept the code's value the fix is withheld.
    """
    settings = ctx.config.low_score_nurture
    score = lead.score
    if score is None or not _is_stale_low_scorer(lead, ctx):
        return NOTHING
    code = settings.reason_code
    errors = ctx.config.catalogue_errors(ctx.catalogue)
    if errors:
        return Evaluation(findings=(_bad_reason_code(code, errors[0]),))
    accepted = ctx.accepts("nurture_reason", code)
    evidence: dict[str, object] = {
        "score": score if math.isfinite(score) else str(score),
        "threshold": settings.threshold,
        "created_at": iso(lead.created_at),
        "min_age": format_duration(settings.min_age),
    }
    if not accepted:
        evidence["fix_withheld"] = f"the CRM does not accept the value of {code} as nurture reason"
    issue = Concern(
        policy=LOW_SCORE_NURTURE,
        code="low_score_new_lead",
        severity="info",
        message=f"new lead scored {score:g} (under {settings.threshold:g}) and is older "
        f"than {format_duration(settings.min_age)}: nurture it as {code}",
        flag="low interest score: consider nurture",
        field="status",
        evidence=evidence,
    )
    fix = _to_nurture(lead, code) if accepted else ()
    return settle(issue, settings.mode, lead, ctx, fix)


def _is_stale_low_scorer(lead: Lead, ctx: PolicyContext) -> bool:
    settings = ctx.config.low_score_nurture
    if lead.status is not Status.NEW or lead.wants_call:
        return False
    if lead.score is None or lead.created_at is None:
        return False
    # NaN scores compare False: never moved
    return lead.score < settings.threshold and ctx.now - aware(lead.created_at) >= settings.min_age


def _to_nurture(lead: Lead, code: str) -> tuple[Change, ...]:
    why = "low interest score on a new lead"
    return (
        Change("status", str(Status.NEW), str(Status.NURTURE), LOW_SCORE_NURTURE, why),
        Change("nurture_reason", lead.nurture_reason, code, LOW_SCORE_NURTURE, why),
    )


def _bad_reason_code(code: str, error: str) -> Finding:
    return Finding(
        policy=LOW_SCORE_NURTURE,
        code="bad_reason_code",
        severity="error",
        message=f"{error}: nothing moved",
        evidence={"reason_code": code},
        field="status",
    )


def wants_call_reopen(lead: Lead, previous: Lead | None, ctx: PolicyContext) -> Evaluation:
    """A nurture/unqualified lead that asked for a call: a warning for sales to reopen it.

    Never changes the status itself (mode is ``report`` or ``flag``): reopening is the rep's
    call, and the lead stays disqualified until someone acts.
    """
    if lead.status is None or not lead.status.disqualified or not lead.wants_call:
        return NOTHING
    issue = Concern(
        policy=WANTS_CALL_REOPEN,
        code="disqualified_lead_wants_call",
        severity="warning",
        message=f"{lead.status} lead asked for a call: reopen it for sales",
        flag="asked for a call: consider reopening",
        field="status",
        evidence={
            "status": str(lead.status),
            "owner": lead.owner,
        },
    )
    return settle(issue, ctx.config.wants_call_reopen.mode, lead, ctx)
