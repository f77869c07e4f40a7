"""What each stored reason value means in the catalogue, judged afresh at every run.

Leads keep the CRM's own reason value; the feedback step maps each distinct ``(source,
value)`` to a code through the source's catalogue (``Settings.catalogue_for``) and the store
joins that small table. A code renamed in the catalogue therefore renames it in every period,
past ones included, and nothing stored has to be rewritten.

Kinds: ``catalogue`` (the catalogue's own value), ``variant`` (a code, label or value written
in another case), ``legacy`` (an old value that means one code), ``ambiguous`` (an old value
that could mean several), ``vague`` (an old value known to mean none, such as "Other"),
``unknown`` (not in the catalogue at all) and ``missing`` (no reason). The first three count
under their code; ``ambiguous``, ``vague`` and ``unknown`` count as ``unmapped``
(:data:`sync.store.facts.COMPLIANT` and ``VAGUE_OR_LEGACY`` group the kinds for the metrics).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from mappings.catalogue import Catalogue

MISSING, UNMAPPED = "missing", "unmapped"
Kind = Literal["catalogue", "variant", "legacy", "ambiguous", "vague", "unknown", "missing"]


@dataclass(frozen=True)
class ReasonCode:
    """What one stored value of one source means: its code and its kind."""

    source: str
    value: str
    code: str
    kind: Kind


def classify(catalogue: Catalogue, crm: str, value: str | None) -> tuple[str, Kind]:
    """The code and kind of reason ``value`` in a CRM of kind ``crm``."""
    if value is None or not value.strip():
        return MISSING, "missing"
    resolution = catalogue.resolve(crm, value)
    if resolution.ambiguous:
        return UNMAPPED, "ambiguous"
    if resolution.code is None:
        return UNMAPPED, "vague" if _in_legacy(catalogue, crm, value) else "unknown"
    if resolution.canonical:
        return resolution.code, "catalogue"
    return resolution.code, "variant" if _variant(catalogue, crm, value) else "legacy"


def _variant(catalogue: Catalogue, crm: str, value: str) -> bool:
    """Whether ``value`` is a reason's own value, code or label in another case or spacing
    (what :meth:`Catalogue.resolve` matches before it looks at legacy values)."""
    folded = value.strip().casefold()
    return any(
        folded in (r.values.get(crm, r.code).casefold(), r.code, r.label.casefold())
        for r in catalogue.reasons.values()
    )


def _in_legacy(catalogue: Catalogue, crm: str, value: str) -> bool:
    folded = value.strip().casefold()
    return any(k.strip().casefold() == folded for k in catalogue.legacy.get(crm, {}))


def reason_codes(
    values: Iterable[tuple[str, str]], catalogues: dict[str, tuple[Catalogue, str]]
) -> list[ReasonCode]:
    """Codes of the distinct ``(source, value)`` pairs; ``catalogues``: source -> (its
    catalogue, its CRM kind). Values of sources without a catalogue (no longer configured)
    are left out: their leads are not counted."""
    found = []
    for source, value in values:
        if source in catalogues:
            catalogue, crm = catalogues[source]
            code, kind = classify(catalogue, crm, value)
            found.append(ReasonCode(source, value, code, kind))
    return found
