"""What policies read and return: the context of a run, corrections, findings, evaluations.

All values here are canonical. Field names are canonical :class:`~sync.domain.Lead` field
names; a reason field's new value is a catalogue *code* (or None to clear), a status is a
canonical :class:`~sync.domain.Status` value. The pipeline maps them to CRM fields and values
(:func:`crm_value` gives the CRM value a correction writes).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from mappings.catalogue import Catalogue
from sync.domain import REASON_FIELDS
from sync.pipeline.policies.config import PoliciesConfig

Severity = Literal["info", "warning", "error"]

#: the canonical field a flag-mode policy writes (when the mapping has one)
REVIEW_FLAG = "review_flag"
#: every text leadloop writes into the review flag starts with this; a flag field holding it
#: and nothing left to flag is cleared, a human's own note (without it) is never cleared
REVIEW_FLAG_PREFIX = "leadloop:"
#: Salesforce text fields default to 255 characters; longer combined flags are cut
REVIEW_FLAG_MAX_LENGTH = 255


@dataclass(frozen=True)
class FlagForm:
    """How the review flag is written, in the form its CRM field takes.

    ``text``: ``leadloop:`` and the flags, cut to ``max_length`` (the field's length); a
    human's own note (without the prefix) is never cleared. ``boolean``: a checkbox, checked
    while there is something to flag and unchecked when nothing is left. ``option``: the
    picklist value ``option`` while there is something to flag, cleared when nothing is left
    (another value, a human's choice, is never cleared).
    """

    kind: Literal["text", "boolean", "option"] = "text"
    max_length: int = REVIEW_FLAG_MAX_LENGTH
    option: str | None = None


@dataclass(frozen=True, kw_only=True)
class PolicyContext:
    """Everything a policy needs besides the lead: constant for one run of one source.

    ``field_options`` is keyed by canonical reason field name: the values the CRM accepts
    there (Salesforce describe picklist, HubSpot property options), None when unrestricted.
    ``review_flag`` says whether flags have somewhere to go (a review-flag field, or tasks),
    ``flag_form`` the form they take (:class:`FlagForm`). ``open_flags`` (flag channel
    ``task``) holds the text of each lead's open leadloop task by external id: the flag a
    lead holds now, in place of a field. ``writable`` lists the
    canonical fields (``status``, reason fields) the mapping lets leadloop write, None for
    all: a fix touching another field is flagged or reported instead. ``now`` must be
    timezone-aware; it is the run's clock, read once by the caller.
    """

    catalogue: Catalogue
    crm: str
    now: datetime
    config: PoliciesConfig = dataclasses.field(default_factory=PoliciesConfig)
    field_options: Mapping[str, frozenset[str] | None] = dataclasses.field(default_factory=dict)
    review_flag: bool = False
    flag_form: FlagForm = dataclasses.field(default_factory=FlagForm)
    open_flags: Mapping[str, str] | None = None
    writable: frozenset[str] | None = None

    def __post_init__(self) -> None:
        if self.now.tzinfo is None or self.now.utcoffset() is None:
            raise ValueError("PolicyContext.now must be timezone-aware")

    def can_write(self, field_name: str) -> bool:
        """Whether the mapping lets leadloop write ``field_name``."""
        return self.writable is None or field_name in self.writable

    def accepts(self, field_name: str, code: str) -> bool:
        """Whether the CRM accepts the catalogue value of ``code`` in ``field_name``."""
        options = self.field_options.get(field_name)
        return options is None or self.catalogue.value_for(self.crm, code) in options


@dataclass(frozen=True)
class Change:
    """A change of one canonical field of one lead, proposed by ``policy``.

    ``old`` is the value the lead holds now (the CRM's own value for reason fields, kept for
    undo and for the conflict check); ``new`` is a catalogue code or None for reason fields, a
    canonical status for ``status``, the text for ``review_flag``. ``reason`` explains it to a
    human (dry-run diffs, audit).
    """

    field: str
    old: str | None
    new: str | None
    policy: str
    reason: str


@dataclass(frozen=True)
class Finding:
    """An open issue of one lead that needs a human (or that a policy only reports).

    ``code`` is stable per kind of issue; ``field`` is the canonical field it concerns, if one.
    ``evidence`` is JSON-serializable and deterministic (timestamps as ISO strings, never
    derived from the run's clock) so an unchanged issue stores the same row every run.
    ``flag`` is the short text a flag-mode policy wants in the review flag; :func:`evaluate`
    combines all of them into one ``review_flag`` correction.
    """

    policy: str
    code: str
    severity: Severity
    message: str
    evidence: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    field: str | None = None
    flag: str | None = None

    @property
    def key(self) -> str:
        """Identity of the finding within its lead: ``policy:code:field``.

        The pipeline resolves a stored finding whose key is absent from the lead's latest
        evaluation: findings resolve themselves when the data is fixed.
        """
        return f"{self.policy}:{self.code}:{self.field or '-'}"


@dataclass(frozen=True)
class Evaluation:
    """The outcome of evaluating one lead.

    From :func:`evaluate` it is complete: ``corrections`` are all the changes to write (at most
    one per field, none whose CRM value equals the current one) and ``findings`` the full
    current set of open issues of the lead, sorted.
    """

    corrections: tuple[Change, ...] = ()
    findings: tuple[Finding, ...] = ()


def crm_value(correction: Change, ctx: PolicyContext) -> str | None:
    """The value ``correction`` writes: a reason code becomes the CRM's picklist value."""
    if correction.field in REASON_FIELDS and correction.new is not None:
        return ctx.catalogue.value_for(ctx.crm, correction.new)
    return correction.new
