"""The catalogue-driven reason policies, each a pure ``(lead, previous, ctx) -> Evaluation``.

Both read what :meth:`Catalogue.resolve` says a reason value means. They split the work so a
value is judged once: ``reason_status_mismatch`` owns values whose every candidate code
belongs to the other status; ``reason_vocabulary`` owns every other non-canonical value.
"""

from __future__ import annotations

from typing import Any

from mappings.catalogue import Resolution
from sync.domain import REASON_FIELDS, Lead
from sync.pipeline.policies.model import Change, Evaluation, PolicyContext
from sync.pipeline.policies.outcome import Concern, concat, label, present, quoted, settle

REASON_VOCABULARY = "reason_vocabulary"
REASON_STATUS_MISMATCH = "reason_status_mismatch"


def reason_vocabulary(lead: Lead, previous: Lead | None, ctx: PolicyContext) -> Evaluation:
    """A reason value that is not the catalogue's own value for its code.

    Remapped to the code (mode ``fix``) only when the value means exactly one code, that code
    belongs to the field's status, and the CRM accepts the code's value in that field
    (``ctx.field_options``). Unknown, ambiguous and not-accepted values have no safe fix: they
    are reported or flagged, with the candidate codes in the evidence.
    """
    parts = []
    for name in REASON_FIELDS:
        value = getattr(lead, name)
        if present(value):
            resolution = ctx.catalogue.resolve(ctx.crm, value)
            if not resolution.canonical and not _foreign(resolution, name, ctx):
                parts.append(_vocabulary(lead, ctx, name, resolution))
    return concat(parts)


def _vocabulary(lead: Lead, ctx: PolicyContext, name: str, resolution: Resolution) -> Evaluation:
    mode = ctx.config.reason_vocabulary.mode
    code = resolution.code
    if code is None:
        return settle(_unresolved(ctx, name, resolution), mode, lead, ctx)
    target = ctx.catalogue.value_for(ctx.crm, code)
    accepted = ctx.accepts(name, code)
    verdict = (
        f"it should read {quoted(target)}"
        if accepted
        else f"but the CRM does not accept {quoted(target)} in that field"
    )
    issue = Concern(
        policy=REASON_VOCABULARY,
        code="remappable_reason" if accepted else "target_not_accepted",
        severity="info" if accepted else "warning",
        message=f"{label(name)} {quoted(resolution.value)} means {code}: {verdict}",
        flag=f"{label(name)} {quoted(resolution.value)} should be {quoted(target)}",
        field=name,
        evidence={**_evidence(ctx, name, resolution), "target_value": target},
    )
    fix = Change(
        field=name,
        old=resolution.value,
        new=code,
        policy=REASON_VOCABULARY,
        reason=f"legacy value {quoted(resolution.value)} means {code}",
    )
    return settle(issue, mode, lead, ctx, (fix,) if accepted else ())


def _unresolved(ctx: PolicyContext, name: str, resolution: Resolution) -> Concern:
    value = quoted(resolution.value)
    if resolution.ambiguous:
        code, meaning = "ambiguous_reason", f"could mean {', '.join(resolution.codes)}"
    else:
        code, meaning = "unknown_reason", "is not in the reason catalogue"
    return Concern(
        policy=REASON_VOCABULARY,
        code=code,
        severity="warning",
        message=f"{label(name)} {value} {meaning}: a human has to pick the reason",
        flag=f"{label(name)} {value} {meaning}",
        field=name,
        evidence=_evidence(ctx, name, resolution),
    )


def reason_status_mismatch(lead: Lead, previous: Lead | None, ctx: PolicyContext) -> Evaluation:
    """A reason field holding a reason of the other status (e.g. a nurture code as the
    unqualified reason). Never fixed automatically: moving the value or the status is a
    sales decision, so mode ``fix`` flags."""
    parts = []
    for name, status in REASON_FIELDS.items():
        value = getattr(lead, name)
        if not present(value):
            continue
        resolution = ctx.catalogue.resolve(ctx.crm, value)
        if _foreign(resolution, name, ctx):
            issue = Concern(
                policy=REASON_STATUS_MISMATCH,
                code="reason_of_other_status",
                severity="warning",
                message=f"{label(name)} {quoted(value)} is a reason for another status than "
                f"{status} ({', '.join(resolution.codes)})",
                flag=f"{label(name)} {quoted(value)} is a {_other(status)} reason",
                field=name,
                evidence=_evidence(ctx, name, resolution),
            )
            parts.append(settle(issue, ctx.config.reason_status_mismatch.mode, lead, ctx))
    return concat(parts)


def _foreign(resolution: Resolution, name: str, ctx: PolicyContext) -> bool:
    """Every code the value may mean belongs to another status than the field's."""
    statuses = {ctx.catalogue.status_of(code) for code in resolution.codes}
    return bool(statuses) and REASON_FIELDS[name].value not in statuses


def _evidence(ctx: PolicyContext, name: str, resolution: Resolution) -> dict[str, Any]:
    return {
        "field": name,
        "value": resolution.value,
        "candidates": [
            {"code": code, "status": ctx.catalogue.status_of(code)} for code in resolution.codes
        ],
    }


def _other(status: str) -> str:
    """The other disqualified status: a reason of one found in the field of the other."""
    return "nurture" if status == "unqualified" else "unqualified"
