"""Runs the enabled policies on one lead and merges their output into one consistent result.

Merge rules (the contract the tests pin down):

1. Within one round every field gets at most one correction, chosen by content, never by the
   order the policies ran in:
   - ``status``: the policy earliest in :data:`POLICY_NAMES` wins.
   - a reason field that belongs to the lead's target status (the corrected status, else the
     current one): setting beats clearing, and the policy that set the status names its
     reason; a reason field that does not belong to it: clearing beats remapping (a lingering
     legacy reason is cleared, not remapped).
   - remaining ties: earliest policy in :data:`POLICY_NAMES`, then the value.
2. Fixpoint: the chosen corrections are applied to a copy of the lead and the policies run
   again until nothing is left to correct (two rounds in practice, at most four), so one
   evaluation already yields what repeated evaluations would: the result is idempotent, and
   findings and flags describe the lead as it will read once the corrections are written.
3. A correction that would write the value the field already holds is dropped.
4. All flags of the final findings become one ``review_flag`` correction in the form the
   flag field takes (:class:`FlagForm`). Text: ``leadloop:`` followed by the distinct texts,
   sorted, joined by ``; ``, cut to the field's length; a leadloop flag with nothing left to
   flag is cleared; a human's note (not starting with ``leadloop:``) is never cleared, but is
   overwritten when there is something to flag. A checkbox is checked while there is
   something to flag and unchecked after; a picklist holds its flag option, cleared after.
5. Deleted and merged leads get an empty evaluation (all their findings resolve); converted
   leads are only reported on (see :mod:`.outcome`).

The findings of an evaluation are the lead's complete set of open issues: the pipeline stores
them by :attr:`Finding.key` and resolves stored findings that are absent.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sync.domain import REASON_FIELDS, Lead, Status
from sync.pipeline.policies.model import (
    REVIEW_FLAG,
    REVIEW_FLAG_MAX_LENGTH,
    REVIEW_FLAG_PREFIX,
    Change,
    Evaluation,
    Finding,
    FlagForm,
    PolicyContext,
    crm_value,
)
from sync.pipeline.policies.opt_in import (
    LOW_SCORE_NURTURE,
    WANTS_CALL_REOPEN,
    low_score_nurture,
    wants_call_reopen,
)
from sync.pipeline.policies.outcome import NOTHING, concat, read_only
from sync.pipeline.policies.rules import (
    CLEAR_REASONS_ON_EXIT,
    REQUIRE_REASON,
    clear_reasons_on_exit,
    require_reason,
)
from sync.pipeline.policies.vocabulary import (
    REASON_STATUS_MISMATCH,
    REASON_VOCABULARY,
    reason_status_mismatch,
    reason_vocabulary,
)

Check = Callable[[Lead, Lead | None, PolicyContext], Evaluation]


@dataclasses.dataclass(frozen=True)
class Policy:
    """A registered policy; its settings are ``ctx.config.<name>`` (so the name must be a key
    of :class:`PoliciesConfig`)."""

    name: str
    check: Check


#: the registry, in its documented order (the order only breaks ties, see rule 1)
REGISTRY: tuple[Policy, ...] = (
    Policy(CLEAR_REASONS_ON_EXIT, clear_reasons_on_exit),
    Policy(REQUIRE_REASON, require_reason),
    Policy(REASON_VOCABULARY, reason_vocabulary),
    Policy(REASON_STATUS_MISMATCH, reason_status_mismatch),
    Policy(LOW_SCORE_NURTURE, low_score_nurture),
    Policy(WANTS_CALL_REOPEN, wants_call_reopen),
)
POLICY_NAMES: tuple[str, ...] = tuple(policy.name for policy in REGISTRY)
_RANK = {name: rank for rank, name in enumerate(POLICY_NAMES)}
_FIELD_ORDER = ("status", *REASON_FIELDS, REVIEW_FLAG)
_MAX_ROUNDS = 4


def evaluate(
    lead: Lead,
    previous: Lead | None,
    ctx: PolicyContext,
    policies: Sequence[Policy] = REGISTRY,
) -> Evaluation:
    """Run the enabled ``policies`` on ``lead`` and merge their output (module docstring).

    ``previous`` is the lead as stored before this pull (None when first seen). The result
    holds every correction to write and the lead's full current set of findings.
    """
    if lead.is_deleted or lead.merged_into:
        return NOTHING
    enabled = [policy for policy in policies if getattr(ctx.config, policy.name).enabled]
    changes, findings = _settle(lead, previous, ctx, enabled)
    corrections = (*changes, *_review_flag(lead, findings, ctx))
    return Evaluation(
        corrections=tuple(sorted(corrections, key=_field_rank)),
        findings=tuple(sorted(findings, key=_finding_rank)),
    )


def _settle(
    lead: Lead, previous: Lead | None, ctx: PolicyContext, enabled: Sequence[Policy]
) -> tuple[list[Change], tuple[Finding, ...]]:
    """Rounds of policies and merges until nothing is left to correct (rule 2): the net
    corrections from ``lead`` to the settled state, and the findings of that state."""
    state, changes = lead, dict[str, Change]()
    for _ in range(_MAX_ROUNDS):
        found = concat(policy.check(state, previous, ctx) for policy in enabled)
        picked = [c for c in _merge(state, found.corrections) if crm_value(c, ctx) != c.old]
        if not picked:
            break
        state = apply(state, picked, ctx)
        for correction in picked:
            changes[correction.field] = _chain(changes.get(correction.field), correction)
    else:  # not settled within the bound (no shipped policy gets here): describe the last state
        found = concat(policy.check(state, previous, ctx) for policy in enabled)
    net = [c for c in changes.values() if crm_value(c, ctx) != c.old]
    return net, found.findings


def apply(lead: Lead, corrections: Iterable[Change], ctx: PolicyContext) -> Lead:
    """``lead`` as it reads once ``corrections`` are written (reason codes become CRM values)."""
    changes: dict[str, Any] = {}
    for correction in corrections:
        value = crm_value(correction, ctx)
        if correction.field == "status" and value is not None:
            changes["status"] = Status(value)
        else:
            changes[correction.field] = value
    return dataclasses.replace(lead, **changes)


def _merge(lead: Lead, corrections: Iterable[Change]) -> list[Change]:
    groups: defaultdict[str, list[Change]] = defaultdict(list)
    for correction in corrections:
        groups[correction.field].append(correction)
    status = min(groups.pop("status", []), key=_tie_break, default=None)
    target = Status(status.new) if status and status.new else lead.status
    mover = status.policy if status else None
    picked = [status] if status else []
    for name, candidates in groups.items():
        if name in REASON_FIELDS:
            picked.append(min(candidates, key=lambda c: _reason_rank(c, target, mover)))
        else:
            picked.append(min(candidates, key=_tie_break))
    return picked


def _reason_rank(correction: Change, target: Status | None, mover: str | None) -> tuple[Any, ...]:
    clears = correction.new is None
    belongs = target is REASON_FIELDS[correction.field]
    return (clears if belongs else not clears, correction.policy != mover, *_tie_break(correction))


def _tie_break(correction: Change) -> tuple[Any, ...]:
    rank = _RANK.get(correction.policy, len(_RANK))
    new = correction.new
    return (rank, correction.policy, new is None, new or "", correction.reason)


def _chain(earlier: Change | None, later: Change) -> Change:
    """One correction from the original value to the last round's value."""
    return later if earlier is None else dataclasses.replace(later, old=earlier.old)


def _review_flag(lead: Lead, findings: Iterable[Finding], ctx: PolicyContext) -> list[Change]:
    if not ctx.review_flag or read_only(lead):
        return []
    flagged = [finding for finding in findings if finding.flag]
    texts = sorted({finding.flag for finding in flagged if finding.flag})
    tasks = ctx.open_flags
    old = lead.review_flag if tasks is None else tasks.get(lead.external_id)
    new = flag_value(texts, old, ctx.flag_form)
    if new == old:
        return []
    policies = sorted({finding.policy for finding in flagged}, key=_RANK.__getitem__)
    reason = f"flagged by {', '.join(policies)}" if texts else "nothing left to flag"
    return [Change(REVIEW_FLAG, old, new, REVIEW_FLAG, reason)]


def flag_value(texts: Sequence[str], old: str | None, form: FlagForm) -> str | None:
    """What the flag field should hold for ``texts`` (none: nothing to flag), given what it
    holds (``old``): the same as ``old`` when leadloop must leave it as it is."""
    if form.kind == "boolean":
        checked = "true" if texts else "false"
        return old if (old or "false").lower() == checked else checked
    if form.kind == "option":
        return form.option if texts else (None if old == form.option else old)
    if texts:
        return fit_flag(f"{REVIEW_FLAG_PREFIX} {'; '.join(texts)}", form.max_length)
    return None if (old or "").startswith(REVIEW_FLAG_PREFIX) else old


def fit_flag(text: str, limit: int = REVIEW_FLAG_MAX_LENGTH) -> str:
    """``text`` cut to ``limit`` UTF-16 units (how Salesforce counts)."""
    if _utf16_len(text) <= limit:
        return text
    while _utf16_len(text) > limit - 1:
        text = text[:-1]
    return text + "…"


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _field_rank(correction: Change) -> tuple[int, str]:
    known = correction.field in _FIELD_ORDER
    return (_FIELD_ORDER.index(correction.field) if known else len(_FIELD_ORDER), correction.field)


def _finding_rank(finding: Finding) -> tuple[Any, ...]:
    rank = _RANK.get(finding.policy, len(_RANK))
    return (rank, finding.policy, finding.code, finding.field or "", finding.message)
