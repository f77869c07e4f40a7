"""Mapping files: find one, validate it, and build its :class:`SourceMapping`.

A mapping is data (``salesforce_lead.yaml``, ``hubspot_contact.yaml`` or a file of your own):
the CRM field behind each canonical field with its transforms, the CRM status values and the
canonical status each means, and the values to write for a canonical status. The loaded form
lives in :mod:`mappings.source_mapping`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mappings import vocabularies
from mappings.catalogue import Catalogue
from mappings.catalogue_loader import (
    MappingError,
    expect_keys,
    load_catalogue,
    read_document,
    require_kind,
)
from mappings.source_mapping import (
    CANONICAL_FIELDS,
    CANONICAL_STATUSES,
    FieldMap,
    SourceMapping,
    reason_catalogue,
)
from mappings.stream_keys import Supported, stream_issues
from mappings.transforms import PRODUCES, Transform, compile_transform
from mappings.yamldoc import Document, Issue

__all__ = [
    "CANONICAL_FIELDS",
    "CANONICAL_STATUSES",
    "FieldMap",
    "MappingError",
    "SourceMapping",
    "builtin_mappings",
    "load_catalogue",
    "load_mapping",
    "mapping_path",
    "reason_catalogue",
]

BUILTIN_DIR = Path(__file__).parent
NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_KIND_TRANSFORM = {"text": "text", "number": "number", "boolean": "boolean", "datetime": "datetime"}
_TOP_KEYS = (
    "crm",
    "object",
    "id_field",
    "modstamp_field",
    "deleted_field",
    "merged_into_field",
    "converted_field",
    "converted_values",
    "review_flag_field",
    "flag_channel",
    "fields",
    "statuses",
    "status_write_values",
    "reasons",
)
_REQUIRED = ("crm", "object", "id_field", "modstamp_field", "fields", "statuses")


def builtin_mappings() -> tuple[str, ...]:
    """Names of the mapping files shipped with leadloop."""
    skip = {"catalogue"}
    return tuple(sorted(p.stem for p in BUILTIN_DIR.glob("*.yaml") if p.stem not in skip))


def mapping_path(name_or_path: str, base_dir: Path | None = None) -> Path:
    """Resolve a builtin mapping name or a file path (relative to ``base_dir``).

    Raises ValueError naming the builtin mappings when neither exists.
    """
    if NAME.match(name_or_path) and name_or_path in builtin_mappings():
        return BUILTIN_DIR / f"{name_or_path}.yaml"
    path = Path(name_or_path).expanduser()
    if not path.is_absolute() and base_dir is not None:
        path = base_dir / path
    if path.suffix in (".yaml", ".yml") and path.is_file():
        return path
    raise ValueError(
        f"unknown mapping {name_or_path!r}: not a builtin mapping "
        f"({', '.join(builtin_mappings())}) nor an existing .yaml file"
    )


def _field_map(doc: Document, canonical: Any, spec: Any, issues: list[Issue]) -> FieldMap | None:
    path = ("fields", canonical)
    if canonical not in CANONICAL_FIELDS:
        issues.append(
            doc.issue(
                path,
                f"unknown canonical field {canonical!r} (known: {', '.join(CANONICAL_FIELDS)})",
            )
        )
        return None
    if isinstance(spec, str):
        spec = {"field": spec}
    if (
        not expect_keys(doc, path, spec, ("field", "transforms", "writable"), ("field",), issues)
        or "field" not in spec
    ):
        return None
    names = spec.get("transforms") or []
    names = names if isinstance(names, list) else [names]
    pipeline: list[Transform] = []
    for index, name in enumerate(names):
        try:
            pipeline.append(compile_transform(str(name)))
        except ValueError as error:
            issues.append(doc.issue((*path, "transforms", index), str(error)))
    kind = CANONICAL_FIELDS[canonical]
    if not names or PRODUCES.get(str(names[-1])) != kind:
        pipeline.append(compile_transform(_KIND_TRANSFORM[kind]))
    writable = spec.get("writable", False)
    if not isinstance(writable, bool):
        issues.append(doc.issue((*path, "writable"), "expected true or false"))
    return FieldMap(
        str(spec["field"]), tuple(str(n) for n in names), writable is True, tuple(pipeline)
    )


def _optional_text(doc: Document, key: str, issues: list[Issue]) -> str | None:
    value = doc.data.get(key)
    if value is not None and (not isinstance(value, str) or not value.strip()):
        issues.append(doc.issue((key,), "expected a field or object name"))
        return None
    return value


FLAG_CHANNELS = ("field", "task")


def _flag_channel(doc: Document, review_flag_field: str | None, issues: list[Issue]) -> str:
    """``field`` (the default: flags go into ``review_flag_field``) or ``task`` (a task for
    the record's owner, which takes no flag field)."""
    channel = doc.data.get("flag_channel", "field")
    if channel not in FLAG_CHANNELS:
        issues.append(doc.issue(("flag_channel",), f"expected field or task, not {channel!r}"))
        return "field"
    if channel == "task" and review_flag_field is not None:
        issues.append(
            doc.issue(
                ("review_flag_field",),
                "flag_channel task writes flags as tasks for the record's owner, never into a "
                "field: leave review_flag_field out (or choose flag_channel: field)",
            )
        )
    return str(channel)


def _fields(doc: Document, issues: list[Issue]) -> dict[str, FieldMap]:
    raw_fields = doc.data.get("fields")
    if not isinstance(raw_fields, dict) or "status" not in raw_fields:
        issues.append(
            doc.issue(("fields",), "expected canonical field -> CRM field, including status")
        )
        return {}
    fields = {}
    for canonical, spec in raw_fields.items():
        mapped = _field_map(doc, canonical, spec, issues)
        if mapped is not None:
            fields[canonical] = mapped
    return fields


def _build(
    doc: Document, name: str, path: Path, catalogue: Catalogue, streams: Supported | None
) -> SourceMapping:
    issues: list[Issue] = []
    if not expect_keys(doc, (), doc.data, _TOP_KEYS, _REQUIRED, issues):
        raise MappingError(issues)
    texts = {key: _optional_text(doc, key, issues) for key in (*_TOP_KEYS[:7], _TOP_KEYS[8])}
    if streams is not None:
        issues += stream_issues(doc, texts, streams)
    fields = _fields(doc, issues)
    statuses = vocabularies.statuses(doc, doc.data.get("statuses"), issues)
    writes = vocabularies.write_values(
        doc, doc.data.get("status_write_values") or {}, statuses, issues
    )
    reasons = vocabularies.reasons(doc, doc.data.get("reasons") or {}, catalogue, issues)
    channel = _flag_channel(doc, texts["review_flag_field"], issues)
    converted = doc.data.get("converted_values")
    converted = (
        converted if isinstance(converted, list) else [] if converted is None else [converted]
    )
    if issues:
        raise MappingError(issues)
    return SourceMapping(
        name=name,
        crm=str(texts["crm"]),
        object=str(texts["object"]),
        id_field=str(texts["id_field"]),
        modstamp_field=str(texts["modstamp_field"]),
        fields=fields,
        statuses=statuses,
        status_write_values=writes,
        deleted_field=texts["deleted_field"],
        merged_into_field=texts["merged_into_field"],
        converted_field=texts["converted_field"],
        converted_values=tuple(str(v).lower() for v in converted),
        review_flag_field=texts["review_flag_field"],
        flag_channel=channel,
        reasons=reasons,
        source_path=path,
        _folded={k.strip().casefold(): v for k, v in statuses.items()},
    )


def load_mapping(
    name_or_path: str,
    catalogue: Catalogue,
    base_dir: Path | None = None,
    streams: Supported | None = None,
) -> SourceMapping:
    """Load a builtin mapping by name, or a mapping file by path (relative to ``base_dir``).

    ``streams``: per CRM, the objects its connector reads (the connector registry's view);
    given, the mapping's ``crm``, ``object``, ``id_field`` and ``modstamp_field`` must name
    one of them.

    Raises ValueError for a name that is neither, and :class:`MappingError` listing every
    problem in the file with its line: unknown canonical fields, statuses or transforms,
    status values mapped twice, write values that would not read back, unknown reason codes,
    an object, id or modstamp field the CRM's connector does not read.
    """
    path = mapping_path(name_or_path, base_dir)
    doc = read_document(path)
    require_kind(doc, "a mapping file", ("crm", "fields", "statuses"))
    label = path.stem if NAME.match(name_or_path) else str(path)
    return _build(doc, label, path, catalogue, streams)
