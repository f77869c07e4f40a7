"""Checks across the config and the files it names: the reason catalogue, each source's
mapping, and the names and codes that point into them.

They run on the interpolated raw data, next to (not after) model validation, so that one
``leadloop check`` lists a typo in ``limits`` and a broken mapping file together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from connectors.registry import connector_types
from mappings.catalogue import Catalogue
from mappings.loader import MappingError, SourceMapping, load_catalogue, load_mapping
from mappings.yamldoc import Document, Issue, UnreadableFile
from sync.pipeline.policies.config import LowScoreNurture

DEFAULT_POLICY_REASON: str = LowScoreNurture.model_fields["reason_code"].default


@dataclass
class References:
    """What the referenced files gave, and every problem found on the way."""

    catalogue: Catalogue | None = None
    mappings: dict[str, SourceMapping] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)


def _section(data: dict[str, Any], *path: str) -> Any:
    value: Any = data
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _catalogue(data: dict[str, Any], doc: Document, base: Path, found: References) -> None:
    name = _section(data, "reasons", "catalogue")
    name = "default" if name is None else name
    if not isinstance(name, str):
        return  # the model reports the wrong type
    path = None if name == "default" else base / Path(name).expanduser()
    where = ("reasons", "catalogue")
    if path is not None and not path.exists():
        found.issues.append(
            doc.issue(where, f"catalogue file not found: {path} (or write 'default')")
        )
        return
    try:
        found.catalogue = load_catalogue(path)
    except MappingError as error:
        found.issues.extend(error.issues)
    except UnreadableFile as error:
        found.issues.append(doc.issue(where, f"cannot read {error.path}: {error.reason}"))


def _mapping(
    name: str, source: dict[str, Any], doc: Document, base: Path, found: References
) -> None:
    connector = connector_types().get(str(source.get("type")))
    if connector is None:
        return  # the model reports an unknown type
    kind = connector.name
    spec = source.get("mapping", connector.default_mapping)
    if not isinstance(spec, str) or found.catalogue is None:
        return  # the model reports a bad mapping value
    where = ("sources", name, "mapping")
    streams = {kind: dict(connector.streams) for kind, connector in connector_types().items()}
    try:
        mapping = load_mapping(spec, found.catalogue, base, streams)
    except ValueError as error:
        found.issues.append(doc.issue(where, str(error)))
        return
    except MappingError as error:
        found.issues.extend(error.issues)
        return
    except UnreadableFile as error:
        found.issues.append(doc.issue(where, f"cannot read {error.path}: {error.reason}"))
        return
    if mapping.crm != kind:
        found.issues.append(
            doc.issue(where, f"mapping {spec!r} is for {mapping.crm}, but this source is {kind}")
        )
    found.mappings[name] = mapping


def _target(data: dict[str, Any], doc: Document, found: References) -> None:
    target, sources = _section(data, "feedback", "target"), data.get("sources")
    if not isinstance(target, str) or not isinstance(sources, dict):
        return
    kinds = {name: s.get("type") if isinstance(s, dict) else None for name, s in sources.items()}
    if target not in kinds:
        known = ", ".join(n for n, kind in kinds.items() if kind == "hubspot") or "none"
        message = f"no source named {target!r} (HubSpot sources: {known})"
    elif kinds[target] != "hubspot":
        message = f"source {target!r} is {kinds[target]}; feedback is pushed to a HubSpot source"
    else:
        return
    found.issues.append(doc.issue(("feedback", "target"), message))


def _codes(data: dict[str, Any], doc: Document, catalogue: Catalogue, found: References) -> None:
    rules = _section(data, "feedback", "recommendations")
    for index, rule in enumerate(rules if isinstance(rules, list) else []):
        code = _section(rule, "when", "reason") if isinstance(rule, dict) else None
        if isinstance(code, str) and code not in catalogue.reasons:
            found.issues.append(
                doc.issue(
                    ("feedback", "recommendations", index, "when", "reason"),
                    f"unknown reason code {code!r}",
                )
            )
    code = _section(data, "policies", "low_score_nurture", "reason_code")
    code = DEFAULT_POLICY_REASON if code is None else code
    where = ("policies", "low_score_nurture", "reason_code")
    if not isinstance(code, str):
        return
    if code not in catalogue.reasons:
        found.issues.append(doc.issue(where, f"unknown reason code {code!r}"))
    elif catalogue.status_of(code) != "nurture":
        found.issues.append(
            doc.issue(where, f"reason {code!r} is an unqualified reason, not a nurture one")
        )


def check_references(data: dict[str, Any], doc: Document, base: Path) -> References:
    """Load the catalogue and mappings ``data`` names (paths relative to ``base``) and check
    every cross-reference: feedback target, mapping CRM, reason codes."""
    found = References()
    _target(data, doc, found)
    _catalogue(data, doc, base, found)
    sources = data.get("sources")
    for name, source in sources.items() if isinstance(sources, dict) else ():
        if isinstance(source, dict):
            _mapping(str(name), source, doc, base, found)
    if found.catalogue is not None:
        _codes(data, doc, found.catalogue, found)
    return found
