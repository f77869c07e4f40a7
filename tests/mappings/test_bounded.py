"""The limits on what leadloop reads: file size and type, YAML depth and alias expansion."""

from __future__ import annotations

from pathlib import Path

import pytest

from mappings.bounded import (
    MAX_ALIAS_VALUES,
    MAX_DEPTH,
    FileProblem,
    read_file,
    size_text,
)
from mappings.yamldoc import YamlError, parse_yaml


def nested(levels: int) -> str:
    """A document whose innermost value sits ``levels`` levels deep (the root is level 1)."""
    return "[" * (levels - 1) + "x" + "]" * (levels - 1)


def test_given_nesting_at_the_limit_then_it_loads_and_one_level_more_is_refused() -> None:
    assert parse_yaml(nested(MAX_DEPTH), "f.yaml").data is not None

    with pytest.raises(YamlError) as caught:
        parse_yaml(nested(MAX_DEPTH + 1), "f.yaml")

    assert str(caught.value) == f"f.yaml:1:{MAX_DEPTH + 1}: nested deeper than {MAX_DEPTH} levels"


def aliases(count: int, size: int) -> str:
    """An anchored list of ``size - 1`` scalars (``size`` values) and ``count`` aliases of it."""
    return f"a: &a [{', '.join(['x'] * (size - 1))}]\nb: [{', '.join(['*a'] * count)}]\n"


def test_given_aliases_adding_exactly_the_limit_then_it_loads_and_one_more_value_is_refused() -> (
    None
):
    assert len(parse_yaml(aliases(100, MAX_ALIAS_VALUES // 100), "f.yaml").data["b"]) == 100

    with pytest.raises(YamlError) as caught:
        parse_yaml(aliases(100, MAX_ALIAS_VALUES // 100) + "c: *a\n", "f.yaml")

    assert str(caught.value) == (
        "f.yaml:3:4: aliases expand to more than 10,000 values (an alias bomb?)"
    )


def test_given_a_bomb_of_merge_keys_then_it_is_refused_before_any_merge() -> None:
    levels = ["m0: &m0 {" + ", ".join(f"k{i}: v" for i in range(9)) + "}"]
    for level in range(1, 9):
        levels.append(f"m{level}: &m{level} {{<<: [{', '.join([f'*m{level - 1}'] * 9)}]}}")

    with pytest.raises(YamlError, match="aliases expand to more than 10,000 values"):
        parse_yaml("\n".join(levels) + "\n", "f.yaml")


def test_given_an_alias_shared_by_two_sources_then_both_get_the_values() -> None:
    doc = parse_yaml("a: &conn {timeout: 30s, base: x}\nb: {conn: *conn}\nc: {conn: *conn}\n", "f")

    assert doc.data["b"] == doc.data["c"] == {"conn": {"timeout": "30s", "base": "x"}}


def test_given_a_file_that_reports_no_size_then_the_read_still_stops_at_the_limit() -> None:
    with pytest.raises(FileProblem) as caught:
        read_file(Path("/proc/self/maps"), limit=10)

    assert caught.value.reason == "it is over the limit of 10 bytes"


def test_given_a_missing_file_then_the_problem_is_the_system_reason(tmp_path: Path) -> None:
    with pytest.raises(FileProblem) as caught:
        read_file(tmp_path / "nope")

    assert caught.value.reason == "No such file or directory"


def test_given_a_path_with_a_nul_character_then_the_problem_says_so(tmp_path: Path) -> None:
    with pytest.raises(FileProblem) as caught:
        read_file(tmp_path / "x\0y")

    assert caught.value.reason == "not a valid path (it holds a NUL character)"


@pytest.mark.parametrize(
    ("size", "text"),
    [(999, "999 bytes"), (64_000, "64 kB"), (1_000_000, "1 MB"), (48_234_483, "48.2 MB")],
)
def test_sizes_read_as_people_write_them(size: int, text: str) -> None:
    assert size_text(size) == text
