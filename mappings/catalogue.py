"""The reason catalogue: canonical disqualification reasons and what CRM values mean them.

Each reason has a code, a label, the status it belongs to (nurture or unqualified) and, per CRM
kind, the picklist value that stands for it. Legacy values (what reps used before the
catalogue) map to one code (remappable) or to several (ambiguous: a human decides).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

ReasonStatus = Literal["nurture", "unqualified"]


@dataclass(frozen=True)
class Reason:
    code: str
    label: str
    status: ReasonStatus
    #: CRM kind ("salesforce", "hubspot") -> the picklist value meaning this reason there
    values: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Resolution:
    """What a CRM value means. ``codes``: empty = unknown, one = clear, several = ambiguous."""

    value: str
    codes: tuple[str, ...]
    canonical: bool  # the value is exactly the catalogue's own value for its code

    @property
    def ambiguous(self) -> bool:
        return len(self.codes) > 1

    @property
    def code(self) -> str | None:
        return self.codes[0] if len(self.codes) == 1 else None


@dataclass(frozen=True)
class Catalogue:
    reasons: Mapping[str, Reason]
    #: CRM kind -> legacy value (case-insensitive, compared stripped) -> candidate codes
    legacy: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)

    def value_for(self, crm: str, code: str) -> str:
        """The CRM picklist value for a code (the code itself when no value is configured)."""
        return self.reasons[code].values.get(crm, code)

    def resolve(self, crm: str, value: str) -> Resolution:
        """What ``value`` (as found in a CRM of kind ``crm``) means in the catalogue."""
        for reason in self.reasons.values():
            if reason.values.get(crm, reason.code) == value:
                return Resolution(value, (reason.code,), canonical=True)
        folded = value.strip().casefold()
        for reason in self.reasons.values():
            if folded in (
                reason.values.get(crm, reason.code).casefold(),
                reason.code,
                reason.label.casefold(),
            ):
                return Resolution(value, (reason.code,), canonical=False)
        for legacy_value, codes in self.legacy.get(crm, {}).items():
            if legacy_value.strip().casefold() == folded:
                return Resolution(value, tuple(codes), canonical=False)
        return Resolution(value, (), canonical=False)

    def status_of(self, code: str) -> ReasonStatus:
        return self.reasons[code].status
