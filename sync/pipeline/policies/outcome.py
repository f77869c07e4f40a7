"""How a policy's mode turns an issue into output, and small helpers the policies share.

Modes: ``report`` gives a finding; ``flag`` gives a finding whose ``flag`` text goes into the
review flag; ``fix`` gives the corrections when a safe fix exists and otherwise behaves like
``flag`` (an issue nobody can fix automatically still deserves a human's attention). Guards
downgrade a mode, and the finding's evidence says which: converted leads are never written
(so only reported); a fix touching a field the mapping does not let leadloop write is flagged;
without a review-flag field in the mapping flags are reported.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from sync.domain import Lead, Status
from sync.pipeline.policies.config import PolicyMode
from sync.pipeline.policies.model import Change, Evaluation, Finding, PolicyContext, Severity

#: https://help.salesforce.com/s/articleView?id=000384333 (converted leads are read-only)
CONVERTED_NOTE = (
    "not written: the lead is converted and CRMs refuse updates to converted leads "
    "(Salesforce CANNOT_UPDATE_CONVERTED_LEAD)"
)
NO_FLAG_FIELD_NOTE = "not flagged: the mapping has no review flag field"
_QUOTE_LIMIT = 40


@dataclasses.dataclass(frozen=True)
class Concern:
    """One problem a policy found on a lead, before its mode decides what to do about it."""

    policy: str
    code: str
    severity: Severity
    message: str
    flag: str  # short text for the review flag, without the leadloop prefix
    field: str | None = None
    evidence: Mapping[str, Any] = dataclasses.field(default_factory=dict)


def settle(
    issue: Concern, mode: PolicyMode, lead: Lead, ctx: PolicyContext, fix: tuple[Change, ...] = ()
) -> Evaluation:
    """The output for ``issue`` under ``mode``; ``fix`` holds the safe fix, if there is one."""
    if read_only(lead):
        return Evaluation(findings=(_finding(issue, CONVERTED_NOTE if mode != "report" else ""),))
    blocked = sorted({c.field for c in fix if not ctx.can_write(c.field)})
    if mode == "fix" and fix and not blocked:
        return Evaluation(corrections=fix)
    note = f"not fixed: the mapping does not let leadloop write {', '.join(blocked)}"
    note = note if mode == "fix" and blocked else ""
    if mode == "report":
        return Evaluation(findings=(_finding(issue),))
    if not ctx.review_flag:
        return Evaluation(findings=(_finding(issue, note, NO_FLAG_FIELD_NOTE),))
    return Evaluation(findings=(_finding(issue, note, flagged=True),))


def _finding(issue: Concern, *notes: str, flagged: bool = False) -> Finding:
    evidence = {**issue.evidence, "action": "flagged" if flagged else "reported"}
    if any(notes):
        evidence["note"] = "; ".join(note for note in notes if note)
    return Finding(
        policy=issue.policy,
        code=issue.code,
        severity=issue.severity,
        message=issue.message,
        evidence=evidence,
        field=issue.field,
        flag=issue.flag if flagged else None,
    )


#: the evaluation of a lead with nothing to say (most policies on most leads): shared
NOTHING = Evaluation()


def concat(parts: Iterable[Evaluation]) -> Evaluation:
    """All corrections and findings of ``parts``, in order (no merging)."""
    corrections: list[Change] = []
    findings: list[Finding] = []
    for part in parts:
        if part.corrections:
            corrections += part.corrections
        if part.findings:
            findings += part.findings
    if not corrections and not findings:
        return NOTHING
    return Evaluation(corrections=tuple(corrections), findings=tuple(findings))


def read_only(lead: Lead) -> bool:
    """Converted leads: reported on, never written."""
    return lead.status is Status.CONVERTED or lead.converted_at is not None


def label(field_name: str) -> str:
    """``nurture_reason`` -> ``nurture reason``."""
    return field_name.replace("_", " ")


def present(value: str | None) -> bool:
    """A reason counts as given when it has more than whitespace."""
    return bool(value and value.strip())


def quoted(value: str) -> str:
    """``value`` quoted for a message or flag: on one line, printable, cut to a readable length.

    Flags are written to single-line CRM text fields that may drop line breaks or control
    characters; a flag that comes back different would be rewritten on every run.
    """
    text = "".join(ch for ch in " ".join(value.split()) if ch.isprintable())
    text = text if len(text) <= _QUOTE_LIMIT else text[: _QUOTE_LIMIT - 1] + "…"
    return f"'{text}'"


def aware(moment: datetime) -> datetime:
    """Timestamps are UTC-aware by contract; a naive one is read as UTC rather than crash."""
    return moment if moment.utcoffset() is not None else moment.replace(tzinfo=UTC)


def utc_day(moment: datetime) -> str:
    """The UTC calendar day of ``moment`` (ISO), for flag texts."""
    try:
        return aware(moment).astimezone(UTC).date().isoformat()
    except OverflowError:  # within a day of datetime.min/max: the local day is close enough
        return moment.date().isoformat()


def iso(moment: datetime | None) -> str | None:
    """ISO string for evidence (JSON-serializable, deterministic)."""
    return aware(moment).isoformat() if moment is not None else None
