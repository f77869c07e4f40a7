"""The suite's own rules: reproducible property tests in CI, no fixed sleeps, no skipping of
our own modules."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from hypothesis import settings

from tests.conftest import PROFILE_VARIABLE, hypothesis_profile

TESTS = Path(__file__).resolve().parent
OUR_PACKAGES = ("sync", "connectors", "mappings", "tests")
#: the one place that may sleep: the poll interval of wait_until (polling with a deadline)
POLLING_HELPER = TESTS / "waiting.py"


def test_given_the_ci_profile_then_examples_are_derandomized_and_not_carried_over() -> None:
    ci = settings.get_profile("ci")
    assert ci.derandomize and ci.database is None


def test_given_ci_then_the_ci_profile_is_chosen() -> None:
    assert hypothesis_profile({PROFILE_VARIABLE: "ci"}) == "ci"
    assert hypothesis_profile({"CI": "true"}) == "ci"
    assert hypothesis_profile({}) == "dev"
    script = (TESTS.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert f"export {PROFILE_VARIABLE}=ci" in script


def nodes() -> Iterator[tuple[Path, ast.AST]]:
    """Every AST node of every module under tests/, with its file."""
    for path in sorted(TESTS.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            yield path, node


def where(path: Path, node: ast.expr | ast.stmt) -> str:
    return f"{path.relative_to(TESTS.parent)}:{node.lineno}"


def calls(name: str) -> Iterator[tuple[str, ast.Call]]:
    """Every call of ``<something>.name(...)`` or ``name(...)`` in tests/, with its place."""
    for path, node in nodes():
        if isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called == name:
                yield where(path, node), node


def sleeps() -> Iterator[str]:
    """``time.sleep(...)`` calls and ``from time import sleep`` imports outside the helper."""
    for path, node in nodes():
        if path == POLLING_HELPER:
            continue
        if isinstance(node, ast.ImportFrom) and node.module == "time":
            if any(alias.name == "sleep" for alias in node.names):
                yield where(path, node)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "sleep"
            and getattr(node.func.value, "id", "") == "time"
        ):
            yield where(path, node)


def test_given_the_tests_then_none_sleeps_but_the_polling_helper() -> None:
    found = list(sleeps())
    assert not found, "wait on an event or use tests.waiting.wait_until:\n" + "\n".join(found)


def test_given_the_tests_then_none_skips_when_our_own_module_fails_to_import() -> None:
    found = [
        place
        for place, node in calls("importorskip")
        if node.args
        and isinstance(node.args[0], ast.Constant)
        and str(node.args[0].value).split(".")[0] in OUR_PACKAGES
    ]
    assert not found, "our own modules must import; a skip hides the break:\n" + "\n".join(found)
