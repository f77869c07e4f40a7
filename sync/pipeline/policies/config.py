"""Typed settings of the six policies (the ``policies:`` section of the YAML config).

Modes: ``report`` records a finding; ``flag`` also writes the mapping's review-flag field
(reported instead when the mapping has none); ``fix`` writes a correction where a safe fix
exists and flags otherwise. Converted leads are only ever reported on.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from connectors.durations import Duration
from mappings.catalogue import Catalogue

PolicyMode = Literal["report", "flag", "fix"]


class _Policy(BaseModel):
    model_config = ConfigDict(extra="forbid")
    enabled: bool = True
    mode: PolicyMode = "report"


class ClearReasonsOnExit(_Policy):
    """Status left nurture/unqualified: clear the reason that no longer applies."""

    mode: PolicyMode = "fix"


class RequireReason(_Policy):
    """Nurture/unqualified without a reason after ``grace_period`` since the status change.

    There is no automatic fix (only the rep knows the reason): ``fix`` flags.
    """

    mode: PolicyMode = "flag"
    grace_period: Duration = timedelta(days=3)


class ReasonVocabulary(_Policy):
    """A reason value outside the catalogue: remap when unambiguous and accepted, else flag."""

    mode: PolicyMode = "fix"


class ReasonStatusMismatch(_Policy):
    """A nurture reason in the unqualified field, or the reverse. Never fixed: ``fix`` flags."""

    mode: PolicyMode = "flag"


class LowScoreNurture(_Policy):
    """Opt-in: a lead still new after ``min_age`` with a score under ``threshold`` -> nurture."""

    enabled: bool = False
    mode: PolicyMode = "report"
    threshold: float = Field(default=20, ge=0)
    min_age: Duration = timedelta(days=30)
    reason_code: str = "low_interest_score"


class WantsCallReopen(_Policy):
    """Opt-in: a disqualified lead that asks for a call -> a finding for sales."""

    enabled: bool = False
    mode: Literal["report", "flag"] = "report"


class PoliciesConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    clear_reasons_on_exit: ClearReasonsOnExit = ClearReasonsOnExit()
    require_reason: RequireReason = RequireReason()
    reason_vocabulary: ReasonVocabulary = ReasonVocabulary()
    reason_status_mismatch: ReasonStatusMismatch = ReasonStatusMismatch()
    low_score_nurture: LowScoreNurture = LowScoreNurture()
    wants_call_reopen: WantsCallReopen = WantsCallReopen()

    def catalogue_errors(self, catalogue: Catalogue) -> list[str]:
        """Settings that name reasons the catalogue lacks, as ``policies.<key>: problem``.

        For startup validation (``leadloop check``); at run time the policy reports the same
        problem as an ``error`` finding instead of moving leads.
        """
        code = self.low_score_nurture.reason_code
        reason = catalogue.reasons.get(code)
        if reason is None:
            return [f"policies.low_score_nurture.reason_code: {code!r} is not in the catalogue"]
        if reason.status != "nurture":
            return [
                f"policies.low_score_nurture.reason_code: {code!r} belongs to "
                f"{reason.status}, expected a nurture reason"
            ]
        return []
