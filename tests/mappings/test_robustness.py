"""Whatever a mapping, catalogue or config file holds, loading ends in a located error, never
in a crash."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any, cast

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from mappings.catalogue_loader import MappingError, load_catalogue
from mappings.loader import load_mapping
from sync.config.settings import ConfigError, load_settings

CATALOGUE = load_catalogue()
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8))
MAPPING_KEYS = st.sampled_from(
    [
        "crm",
        "object",
        "id_field",
        "modstamp_field",
        "fields",
        "statuses",
        "status_write_values",
        "reasons",
        "converted_values",
        "review_flag_field",
        "status",
        "email",
        "transforms",
        "field",
        "writable",
        "new",
        "Open",
        "x",
    ]
)
CONFIG_KEYS = st.sampled_from(
    [
        "store",
        "url",
        "sources",
        "sf",
        "type",
        "salesforce",
        "hubspot",
        "connection",
        "auth",
        "method",
        "password",
        "access_token",
        "feedback",
        "target",
        "limits",
        "schedule",
        "every",
        "cron",
        "file",
        "reasons",
        "catalogue",
        "policies",
        "x",
    ]
)


def trees(keys: st.SearchStrategy[str]) -> st.SearchStrategy[object]:
    return st.recursive(
        SCALARS,
        lambda inner: st.one_of(
            st.lists(inner, max_size=3), st.dictionaries(keys, inner, max_size=4)
        ),
        max_leaves=12,
    )


def _write(data: object, name: str) -> Path:
    folder = Path(tempfile.mkdtemp())
    path = folder / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(MAPPING_KEYS, trees(MAPPING_KEYS), max_size=8))
def test_any_mapping_file_loads_or_gives_located_issues(data: dict[str, object]) -> None:
    path = _write(data, "m.yaml")
    try:
        load_mapping(str(path), CATALOGUE)
    except MappingError as error:
        assert error.issues and all(i.file == str(path) and i.line for i in error.issues)


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["reasons", "legacy", "a_code", "label", "status", "values", "salesforce"]),
        trees(st.sampled_from(["a_code", "label", "status", "values", "salesforce", "nurture"])),
        max_size=3,
    )
)
def test_any_catalogue_file_loads_or_gives_located_issues(data: dict[str, object]) -> None:
    path = _write(data, "c.yaml")
    try:
        load_catalogue(path)
    except MappingError as error:
        assert error.issues and all(i.file == str(path) and i.line for i in error.issues)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(CONFIG_KEYS, trees(CONFIG_KEYS), max_size=6))
def test_any_config_file_loads_or_gives_located_issues(data: dict[str, object]) -> None:
    path = _write(data, "leadloop.yaml")
    try:
        load_settings(path, env={})
    except ConfigError as error:
        assert error.errors and all(i.line for i in error.errors)


EXAMPLE = yaml.safe_load(
    (Path(__file__).resolve().parents[2] / "config" / "leadloop.example.yaml").read_text(
        encoding="utf-8"
    )
)
EXAMPLE_ENV = {"SF_PASSWORD": "pw", "SF_TOKEN": "tok", "HUBSPOT_TOKEN": "pat"}


def _paths(data: object, prefix: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    if isinstance(data, dict):
        return [(*prefix, k) for k in data] + [
            p for k, v in data.items() for p in _paths(v, (*prefix, k))
        ]
    if isinstance(data, list):
        return [p for i, v in enumerate(data) for p in _paths(v, (*prefix, i))]
    return []


PATHS = _paths(EXAMPLE)


def _replaced(data: object, path: tuple[object, ...], value: object) -> object:
    if not path:
        return value
    copy: Any = dict(data) if isinstance(data, dict) else list(cast(list[object], data))
    copy[path[0]] = _replaced(copy[path[0]], path[1:], value)
    return copy


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(PATHS), trees(CONFIG_KEYS)), min_size=1, max_size=3))
def test_the_example_with_any_values_swapped_in_loads_or_gives_located_issues(
    swaps: list[tuple[tuple[object, ...], object]],
) -> None:
    data: object = EXAMPLE
    for path, value in swaps:
        try:
            data = _replaced(data, path, value)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier swap removed this path
    config = _write(data, "leadloop.yaml")
    try:
        load_settings(config, env=EXAMPLE_ENV)
    except ConfigError as error:
        assert error.errors and all(i.line for i in error.errors)
