"""Load and validate a reason catalogue YAML file (the default one ships as catalogue.yaml)."""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any

from mappings.catalogue import Catalogue, Reason
from mappings.yamldoc import Document, Issue, UnreadableFile, YamlError, load_yaml

DEFAULT_CATALOGUE = Path(__file__).with_name("catalogue.yaml")
CODE = re.compile(r"^[a-z][a-z0-9_]*$")
STATUSES = ("nurture", "unqualified")


class MappingError(Exception):
    """A mapping or catalogue file is invalid. ``issues`` lists every problem found."""

    def __init__(self, issues: list[Issue]) -> None:
        super().__init__("\n".join(str(issue) for issue in issues))
        self.issues = issues


def read_document(path: Path) -> Document:
    """The YAML document at ``path``; syntax problems raise :class:`MappingError`, a file that
    cannot be read :class:`~mappings.yamldoc.UnreadableFile` (reported where it was named)."""
    try:
        return load_yaml(path)
    except UnreadableFile:
        raise
    except YamlError as error:
        raise MappingError(error.issues) from None


def _what(data: Any) -> str:
    if data is None:
        return "the file is empty"
    if isinstance(data, dict):
        return "it holds a mapping"
    return "it holds a list" if isinstance(data, list) else "it holds a single text or number"


def require_kind(doc: Document, what: str, keys: tuple[str, ...]) -> None:
    """Refuse a file that is not ``what`` at all: not a mapping, or one with none of ``keys``.

    Says what the file holds and never quotes it: a path may point at any file (a
    password file, a key), and listing its keys or lines would print them."""
    data = doc.data
    if isinstance(data, dict) and any(key in data for key in keys):
        return
    holds = _what(data)
    if isinstance(data, dict):
        holds += f" without {' or '.join(repr(key) for key in keys)}"
    raise MappingError([doc.issue((), f"not {what}: {holds}")])


def expect_keys(
    doc: Document,
    path: tuple[str | int, ...],
    data: Any,
    allowed: tuple[str, ...],
    required: tuple[str, ...],
    issues: list[Issue],
) -> bool:
    """Check that ``data`` is a mapping with only ``allowed`` keys and every ``required`` one."""
    if not isinstance(data, dict):
        issues.append(doc.issue(path, "expected a mapping of keys to values"))
        return False
    for key in data:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}?" if close else f"expected {', '.join(allowed)}"
            issues.append(doc.issue((*path, key), f"unknown key {key!r}; {hint}"))
    for key in required:
        if key not in data:
            issues.append(doc.issue(path, f"missing required key {key!r}"))
    return True


def _reason(doc: Document, code: Any, data: Any, issues: list[Issue]) -> Reason | None:
    path = ("reasons", code)
    if not isinstance(code, str) or not CODE.match(code):
        issues.append(doc.issue(path, "reason codes are snake_case: lower-case letters, digits, _"))
        return None
    if not expect_keys(doc, path, data, ("label", "status", "values"), ("label", "status"), issues):
        return None
    if data.get("status") not in STATUSES:
        got = data.get("status")
        issues.append(
            doc.issue((*path, "status"), f"status must be nurture or unqualified, got {got!r}")
        )
        return None
    values = data.get("values") or {}
    if not isinstance(values, dict) or not all(
        isinstance(v, str) and v.strip() for v in values.values()
    ):
        issues.append(doc.issue((*path, "values"), "expected CRM name -> non-empty picklist value"))
        return None
    return Reason(code, str(data["label"]), data["status"], {str(k): v for k, v in values.items()})


def _legacy(
    doc: Document, data: Any, reasons: dict[str, Reason], issues: list[Issue]
) -> dict[str, dict[str, tuple[str, ...]]]:
    result: dict[str, dict[str, tuple[str, ...]]] = {}
    if not isinstance(data, dict):
        issues.append(doc.issue(("legacy",), "expected CRM name -> {legacy value: [codes]}"))
        return result
    for crm, values in data.items():
        if not isinstance(values, dict):
            issues.append(doc.issue(("legacy", crm), "expected legacy value -> [codes]"))
            continue
        result[str(crm)] = {}
        for value, codes in values.items():
            path = ("legacy", crm, value)
            codes = codes if isinstance(codes, list) else [codes] if codes else []
            for code in codes:
                if not isinstance(code, str) or code not in reasons:
                    issues.append(doc.issue(path, f"unknown reason code {code!r}"))
            if _is_catalogue_value(reasons, str(crm), str(value)):
                issues.append(
                    doc.issue(
                        path,
                        "already a catalogue value, code or label; "
                        "a legacy entry would never be used",
                    )
                )
            result[str(crm)][str(value)] = tuple(str(code) for code in codes)
    return result


def _is_catalogue_value(reasons: dict[str, Reason], crm: str, value: str) -> bool:
    folded = value.strip().casefold()
    return any(
        folded in (r.values.get(crm, r.code).casefold(), r.code, r.label.casefold())
        for r in reasons.values()
    )


def load_catalogue(path: Path | None = None) -> Catalogue:
    """Load the catalogue at ``path`` (the default catalogue when None).

    Raises :class:`MappingError` listing every problem with file and line: bad or duplicate
    codes, statuses other than nurture/unqualified, legacy values naming unknown codes; and
    :class:`~mappings.yamldoc.UnreadableFile` when the file cannot be read.
    """
    doc = read_document(path or DEFAULT_CATALOGUE)
    require_kind(doc, "a reason catalogue", ("reasons",))
    issues: list[Issue] = []
    reasons: dict[str, Reason] = {}
    legacy: dict[str, dict[str, tuple[str, ...]]] = {}
    if expect_keys(doc, (), doc.data, ("reasons", "legacy"), ("reasons",), issues):
        entries = doc.data.get("reasons")
        if not isinstance(entries, dict) or not entries:
            issues.append(doc.issue(("reasons",), "expected at least one reason"))
            entries = {}
        for code, data in entries.items():
            reason = _reason(doc, code, data, issues)
            if reason is not None:
                reasons[reason.code] = reason
        _check_unique_values(doc, reasons, issues)
        legacy = _legacy(doc, doc.data.get("legacy") or {}, reasons, issues)
    if issues:
        raise MappingError(issues)
    return Catalogue(reasons=reasons, legacy=legacy)


def _check_unique_values(doc: Document, reasons: dict[str, Reason], issues: list[Issue]) -> None:
    seen: dict[tuple[str, str], str] = {}
    for reason in reasons.values():
        for crm, value in reason.values.items():
            key = (crm, value.strip().casefold())
            if key in seen:
                issues.append(
                    doc.issue(
                        ("reasons", reason.code, "values", crm),
                        f"value {value!r} is already used by {seen[key]!r}",
                    )
                )
            seen[key] = reason.code
