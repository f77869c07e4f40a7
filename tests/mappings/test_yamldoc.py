"""The strict YAML reader: key lines, duplicate keys, syntax errors with positions."""

from __future__ import annotations

import pytest

from mappings.yamldoc import YamlError, parse_yaml


def test_given_nested_keys_and_lists_then_each_key_path_has_its_line() -> None:
    doc = parse_yaml("a:\n  b: 1\n  items:\n    - x: 2\n    - y: 3\n", "f.yaml")

    assert doc.data == {"a": {"b": 1, "items": [{"x": 2}, {"y": 3}]}}
    assert doc.line_of(("a", "b")) == 2
    assert doc.line_of(("a", "items", 1, "y")) == 5
    assert doc.line_of(("a", "missing", "deeper")) == 1


def test_given_a_duplicate_nested_key_then_the_error_names_both_lines() -> None:
    with pytest.raises(YamlError) as caught:
        parse_yaml("a:\n  b: 1\n  c: 2\n  b: 3\n", "f.yaml")

    assert str(caught.value) == "f.yaml:4: a.b: duplicate key 'b' (first defined on line 2)"


def test_given_every_duplicate_then_all_are_reported_at_once() -> None:
    with pytest.raises(YamlError) as caught:
        parse_yaml("a: 1\na: 2\nb: {x: 1, x: 2}\n", "f.yaml")

    assert [str(i) for i in caught.value.issues] == [
        "f.yaml:2: a: duplicate key 'a' (first defined on line 1)",
        "f.yaml:3: b.x: duplicate key 'x' (first defined on line 3)",
    ]


def test_given_a_merge_key_then_the_merged_values_are_kept() -> None:
    doc = parse_yaml("base: &b {timeout: 30s}\nother:\n  <<: *b\n  retries: 2\n", "f.yaml")

    assert doc.data["other"] == {"timeout": "30s", "retries": 2}


def test_given_a_merge_key_and_an_own_key_of_the_same_name_then_the_own_value_wins() -> None:
    doc = parse_yaml("base: &b {timeout: 30s, retries: 2}\nother:\n  <<: *b\n  timeout: 60s\n", "f")

    assert doc.data["other"] == {"timeout": "60s", "retries": 2}
    assert doc.line_of(("other", "timeout")) == 4


def test_given_two_merges_setting_one_key_then_the_first_listed_wins() -> None:
    doc = parse_yaml("a: &a {x: 1}\nb: &b {x: 2, y: 2}\nc:\n  <<: [*a, *b]\n", "f.yaml")

    assert doc.data["c"] == {"x": 1, "y": 2}


def test_given_an_unquoted_reference_in_a_flow_mapping_then_the_error_says_to_quote_it() -> None:
    with pytest.raises(YamlError) as caught:
        parse_yaml("auth: {token: ${TOKEN}}\n", "f.yaml")

    assert str(caught.value) == (
        "f.yaml:1:16: expected ',' or '}', but got '{' (while parsing a flow mapping); "
        'inside { } quote values that use ${...}, e.g. "${TOKEN}"'
    )


def test_given_a_tab_then_the_error_has_line_and_column() -> None:
    with pytest.raises(YamlError) as caught:
        parse_yaml("a:\n  b: 1\n\tc: 2\n", "f.yaml")

    assert str(caught.value) == "f.yaml:3:1: tab character: YAML indentation must use spaces"
