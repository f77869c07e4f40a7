"""The architecture as tests: import rules, no import cycle, modules of a readable size.

The import graph is read from the AST of every module of ``sync``, ``connectors`` and
``mappings`` (imports inside functions included; imports under ``if TYPE_CHECKING:`` left out,
as they never run). A module's edge goes to the deepest module an import names: ``from
sync.store import runs`` depends on ``sync.store.runs``, ``from sync.store.db import
upgrade`` on ``sync.store.db``. Importing a submodule also runs its package's ``__init__``;
that implicit edge is not counted (a package re-exporting its own modules is no cycle).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("sync", "connectors", "mappings")
MAX_LINES = 300
#: SQLAlchemy names a module outside the store may import: session types, no SQL
SESSION_TYPES = frozenset({"sqlalchemy.orm.Session", "sqlalchemy.orm.sessionmaker"})
#: the config checks a store URL's syntax with SQLAlchemy's own parser
SQL_OUTSIDE_STORE = frozenset({"sync.config.types"})
#: modules over MAX_LINES today, being split in other workstreams


@dataclass(frozen=True)
class Import:
    """One import in ``module``: the imported module or ``module.name``, and its line."""

    module: str
    target: str
    line: int


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    """Every module of our packages (migrations included), by dotted name."""
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            found[module_name(path)] = path
    return found


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node that can run: the bodies of ``if TYPE_CHECKING:`` are skipped."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, ast.If) and _type_checking(node):
            stack.extend(node.orelse)
            continue
        stack.extend(ast.iter_child_nodes(node))


def _absolute(module: str, path: Path, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    base = package[: len(package) - node.level + 1]
    return ".".join([*base, node.module] if node.module else base)


@cache
def imports(module: str) -> tuple[Import, ...]:
    """The runtime imports of ``module``: ``import a.b`` gives ``a.b``; ``from a import b``
    gives ``a.b`` (a submodule or a name in ``a``)."""
    path = modules()[module]
    found = []
    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [Import(module, alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(module, path, node)
            found += [Import(module, f"{base}.{a.name}", node.lineno) for a in node.names]
    return tuple(found)


def ours(target: str) -> str | None:
    """The deepest module of ours that ``target`` names (None for third-party imports)."""
    parts = target.split(".")
    for end in range(len(parts), 0, -1):
        if ".".join(parts[:end]) in modules():
            return ".".join(parts[:end])
    return None


def in_package(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def violations(package: str, forbidden: str) -> list[str]:
    """``file:line imports target`` for every import of ``forbidden`` from ``package``."""
    return [
        f"{modules()[i.module].relative_to(ROOT)}:{i.line} imports {i.target}"
        for module in modules()
        if in_package(module, package)
        for i in imports(module)
        if in_package(i.target, forbidden)
    ]


# -- dependency direction ------------------------------------------------------------------


@pytest.mark.parametrize("package", ["connectors", "mappings"])
def test_given_connectors_and_mappings_then_they_import_nothing_from_sync(package: str) -> None:
    found = violations(package, "sync")
    assert not found, "\n".join(found)


def test_given_the_store_then_it_imports_nothing_from_connectors() -> None:
    found = violations("sync.store", "connectors")
    assert not found, "\n".join(found)


def test_given_modules_outside_the_store_then_they_use_sqlalchemy_only_for_session_types() -> None:
    found = [
        f"{modules()[i.module].relative_to(ROOT)}:{i.line} imports {i.target}"
        for module in modules()
        if not in_package(module, "sync.store") and module not in SQL_OUTSIDE_STORE
        for i in imports(module)
        if in_package(i.target, "sqlalchemy") and i.target not in SESSION_TYPES
    ]
    assert not found, "SQL belongs in sync/store/:\n" + "\n".join(found)


# -- no import cycle -----------------------------------------------------------------------


def graph() -> dict[str, set[str]]:
    """Module -> the modules of ours it imports."""
    return {
        module: {t for i in imports(module) if (t := ours(i.target)) and t != module}
        for module in modules()
    }


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while (member := stack.pop()) != node:
                component.append(member)
            component.append(node)
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def cycle_path(edges: dict[str, set[str]], component: list[str]) -> list[str]:
    """One concrete cycle through the component's first module: ``[a, b, ..., a]``."""
    start, members = component[0], set(component)
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for nxt in sorted(edges[node] & members):
            if nxt == start:
                return [*paths[node], start]
            if nxt not in paths:
                paths[nxt] = [*paths[node], nxt]
                queue.append(nxt)
    raise AssertionError(f"{component} is not a cycle")


def test_given_a_planted_cycle_then_the_detector_reports_its_modules() -> None:
    edges = {"a": {"b"}, "b": {"c", "e"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(edges) == [["a", "b", "c"]]
    assert cycle_path(edges, ["a", "b", "c"]) == ["a", "b", "c", "a"]


def test_given_every_module_then_no_import_cycle() -> None:
    edges = graph()
    found = [" -> ".join(cycle_path(edges, component)) for component in cycles(edges)]
    assert not found, "import cycles:\n" + "\n".join(found)


# -- size ----------------------------------------------------------------------------------


def oversized() -> list[str]:
    """Modules over MAX_LINES, migrations excepted, as their paths."""
    return sorted(
        str(path.relative_to(ROOT))
        for module, path in modules().items()
        if not in_package(module, "sync.store.migrations")
        and len(path.read_text(encoding="utf-8").splitlines()) > MAX_LINES
    )


def test_given_every_module_then_none_is_over_the_line_limit() -> None:
    assert oversized() == []
