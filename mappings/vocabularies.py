"""The vocabularies of a mapping file: its CRM status values (and the values leadloop writes
for a canonical status), and its own reason values, each checked with located problems."""

from __future__ import annotations

from typing import Any

from mappings.catalogue import Catalogue
from mappings.source_mapping import CANONICAL_STATUSES
from mappings.yamldoc import Document, Issue


def statuses(doc: Document, data: Any, issues: list[Issue]) -> dict[str, str]:
    """CRM status value -> canonical status; each value once, whatever its case or spaces."""
    if not isinstance(data, dict) or not data:
        issues.append(doc.issue(("statuses",), "expected CRM status value -> canonical status"))
        return {}
    folded: dict[str, str] = {}
    for value, canonical in data.items():
        path = ("statuses", value)
        if canonical not in CANONICAL_STATUSES:
            issues.append(
                doc.issue(
                    path,
                    f"unknown canonical status {canonical!r} "
                    f"(known: {', '.join(CANONICAL_STATUSES)})",
                )
            )
        key = str(value).strip().casefold()
        if key in folded and folded[key] != canonical:
            issues.append(
                doc.issue(
                    path,
                    f"{value!r} differs only in case or spaces from "
                    "another status value mapped elsewhere",
                )
            )
        folded[key] = canonical
    return {str(k): str(v) for k, v in data.items()}


def write_values(
    doc: Document, data: Any, statuses: dict[str, str], issues: list[Issue]
) -> dict[str, str]:
    """Canonical status -> the CRM value leadloop writes for it, which must read back as it."""
    if not isinstance(data, dict):
        issues.append(doc.issue(("status_write_values",), "expected canonical status -> value"))
        return {}
    for canonical, value in data.items():
        path = ("status_write_values", canonical)
        if canonical not in CANONICAL_STATUSES:
            issues.append(doc.issue(path, f"unknown canonical status {canonical!r}"))
        elif statuses.get(str(value)) != canonical:
            # a value that reads back as another status would make every sync undo the last
            issues.append(
                doc.issue(path, f"{value!r} is not mapped back to {canonical!r} in statuses")
            )
    return {str(k): str(v) for k, v in data.items()}


def reasons(doc: Document, data: Any, catalogue: Catalogue, issues: list[Issue]) -> dict[str, str]:
    """The mapping's own reason values: CRM value -> catalogue code, one value per code."""
    if not isinstance(data, dict):
        issues.append(doc.issue(("reasons",), "expected CRM reason value -> catalogue code"))
        return {}
    seen: dict[str, Any] = {}
    for value, code in data.items():
        if not isinstance(code, str) or code not in catalogue.reasons:
            issues.append(
                doc.issue(
                    ("reasons", value),
                    f"unknown reason code {code!r} (not in the reason catalogue)",
                )
            )
        elif code in seen:
            issues.append(
                doc.issue(
                    ("reasons", value),
                    f"{code!r} already has the value {seen[code]!r}; one CRM value per code",
                )
            )
        else:
            seen[code] = value
    return {str(k): str(v) for k, v in data.items()}
