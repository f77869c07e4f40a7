"""YAML files that remember where every key came from.

Config, mapping and catalogue files are read through :func:`load_yaml`: a strict ``SafeLoader``
that refuses duplicate keys (naming both lines), reports syntax errors and tabs as
``file:line:column``, and records the line of every key path so that a later validation error
can point at the exact place. The result is plain Python data plus a line index. Files are
read within the limits of :mod:`mappings.bounded` (size, depth, aliases), and no message
quotes a name from the file that could be a secret typed in the wrong place (an alias, a tag).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from mappings.bounded import BoundedLoader, FileProblem, read_text

KeyPath = tuple[str | int, ...]
_MERGE = "tag:yaml.org,2002:merge"


def format_path(path: Sequence[str | int]) -> str:
    """``("sources", "sf", "auth")`` -> ``sources.sf.auth``; list indexes as ``[0]``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


@dataclass(frozen=True)
class Issue:
    """One problem in a file, formatted ``FILE:LINE[:COLUMN]: key.path: message``."""

    file: str
    line: int | None
    key_path: str
    message: str
    column: int | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return (
            f"{where}: {self.key_path}: {self.message}"
            if self.key_path
            else (f"{where}: {self.message}")
        )


class YamlError(Exception):
    """A file could not be read as YAML. ``issues`` says where and why."""

    def __init__(self, issues: list[Issue]) -> None:
        super().__init__("\n".join(str(issue) for issue in issues))
        self.issues = issues


class UnreadableFile(YamlError):
    """The file itself could not be read (missing, not a regular file, too large, not UTF-8).

    ``reason`` says why, so that a caller can report it where the file was named."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__([Issue(str(path), None, "", f"cannot read file: {reason}")])
        self.path = path
        self.reason = reason


@dataclass
class Document:
    """Parsed YAML data plus the line (1-based) of every key path found in the file."""

    file: str
    data: Any
    lines: dict[KeyPath, int] = field(default_factory=dict)

    def line_of(self, path: Sequence[str | int]) -> int | None:
        """The line of ``path``, or of its nearest ancestor present in the file."""
        parts = tuple(path)
        while parts:
            if parts in self.lines:
                return self.lines[parts]
            parts = parts[:-1]
        return self.lines.get((), 1)

    def issue(self, path: Sequence[str | int], message: str) -> Issue:
        """An :class:`Issue` located at ``path`` in this document."""
        return Issue(self.file, self.line_of(path), format_path(path), message)


class _Builder:
    """Turns a composed node tree into Python data, recording key lines, refusing duplicates."""

    def __init__(self, loader: yaml.SafeLoader, file: str) -> None:
        self.loader = loader
        self.file = file
        self.lines: dict[KeyPath, int] = {}
        self.issues: list[Issue] = []

    def build(self, node: Node, path: KeyPath) -> Any:
        if isinstance(node, MappingNode):
            return self._mapping(node, path)
        if isinstance(node, SequenceNode):
            result = []
            for index, item in enumerate(node.value):
                self.lines.setdefault((*path, index), item.start_mark.line + 1)
                result.append(self.build(item, (*path, index)))
            return result
        try:
            return self.loader.construct_object(node, deep=True)
        except (ValueError, OverflowError):  # 2023-13-45, an integer of 5,000 digits
            self.issues.append(
                Issue(
                    self.file,
                    node.start_mark.line + 1,
                    format_path(path),
                    "YAML reads this value as a date or a number, but it is not a valid one "
                    "(quote it to keep it as text)",
                )
            )
            return None

    def _mapping(self, node: MappingNode, path: KeyPath) -> dict[Any, Any]:
        own = {id(key) for key, _ in node.value if key.tag != _MERGE}
        self.loader.flatten_mapping(node)  # resolves ``<<`` merge keys, merged pairs first
        result: dict[Any, Any] = {}
        first_line: dict[Any, int] = {}
        for key_node, value_node in (pair for pair in node.value if id(pair[0]) in own):
            key = self._key(key_node)
            line = key_node.start_mark.line + 1
            if key in first_line:
                self.issues.append(
                    Issue(
                        self.file,
                        line,
                        format_path((*path, key)),
                        f"duplicate key {key!r} (first defined on line {first_line[key]})",
                    )
                )
                continue
            first_line[key] = line
            self.lines[(*path, key)] = line
            result[key] = self.build(value_node, (*path, key))
        self._merge(node, own, result, path)
        return result

    def _merge(
        self, node: MappingNode, own: set[int], result: dict[Any, Any], path: KeyPath
    ) -> None:
        """Add the merged pairs the mapping does not set itself: its own keys override a merge
        (no duplicate), and of two merges the one listed first wins, as in YAML 1.1."""
        merged: dict[Any, tuple[Node, Node]] = {}
        for key_node, value_node in (pair for pair in node.value if id(pair[0]) not in own):
            merged[self._key(key_node)] = (key_node, value_node)  # flattened: later wins
        for key, (key_node, value_node) in merged.items():
            if key not in result:
                self.lines[(*path, key)] = key_node.start_mark.line + 1
                result[key] = self.build(value_node, (*path, key))

    def _key(self, node: Node) -> Any:
        if not isinstance(node, ScalarNode):
            return str(self.loader.construct_object(node, deep=True))
        key = self.loader.construct_object(node)
        return key if isinstance(key, str | int) and not isinstance(key, bool) else node.value


#: PyYAML messages that quote a whole name from the file (which may be a secret typed where
#: a ${VAR} belongs), reworded without it
_QUOTING = (
    ("found undefined alias", "a value starts with * but no anchor (&) has that name"),
    ("for the tag", "a value starts with ! (a YAML tag) that leadloop does not know"),
    (
        "found undefined tag handle",
        "a value starts with ! (a YAML tag) that leadloop does not know",
    ),
    ("found duplicate anchor", "a value starts with & and repeats an anchor name"),
)


def _reworded(error: yaml.MarkedYAMLError) -> str | None:
    said = f"{error.context or ''} {error.problem or ''}"
    for start, message in _QUOTING:
        if start in said:
            return message + ": quote values that start with *, & or !"
    return None


def _syntax_issue(file: str, error: yaml.MarkedYAMLError) -> Issue:
    mark = error.problem_mark or error.context_mark
    problem = error.problem or "invalid YAML"
    reworded = _reworded(error)
    if reworded is not None:
        problem = reworded
    elif "'\\t'" in problem:
        problem = "tab character: YAML indentation must use spaces"
    elif error.context:
        start = error.context_mark
        where = (
            f" that starts on line {start.line + 1}"
            if start and mark and (start.line != mark.line)
            else ""
        )
        problem = f"{problem} ({error.context}{where})"
    if mark and mark.buffer and "flow" in (error.context or ""):
        text = (
            mark.buffer.splitlines()[mark.line] if mark.line < len(mark.buffer.splitlines()) else ""
        )
        if "${" in text:
            problem += '; inside { } quote values that use ${...}, e.g. "${TOKEN}"'
    line = mark.line + 1 if mark else None
    column = mark.column + 1 if mark else None
    return Issue(file, line, "", problem, column)


def _reader_issue(file: str, text: str, error: yaml.reader.ReaderError) -> Issue:
    line = text.count("\n", 0, error.position) + 1
    code = error.character if isinstance(error.character, int) else ord(error.character)
    return Issue(
        file, line, "", f"control character #x{code:04x} is not allowed in YAML (not a text file?)"
    )


def _loader(text: str, file: str) -> BoundedLoader:
    try:
        return BoundedLoader(text)  # checks every character of ``text`` first
    except yaml.reader.ReaderError as error:
        raise YamlError([_reader_issue(file, text, error)]) from None


def parse_yaml(text: str, file: str) -> Document:
    """Parse ``text`` (named ``file`` in messages). Raises :class:`YamlError`."""
    loader = _loader(text, file)
    try:
        node = loader.get_single_node()
        builder = _Builder(loader, file)
        data = builder.build(node, ()) if node is not None else None
        if node is not None:
            builder.lines[()] = node.start_mark.line + 1
    except yaml.MarkedYAMLError as error:
        raise YamlError([_syntax_issue(file, error)]) from None
    except yaml.YAMLError as error:
        raise YamlError([Issue(file, None, "", f"invalid YAML: {error}")]) from None
    finally:
        loader.dispose()
    if builder.issues:
        raise YamlError(builder.issues)
    return Document(file, data, builder.lines)


def load_yaml(path: Path) -> Document:
    """Read and parse the YAML file at ``path`` (a regular file of at most 1 MB).

    Raises :class:`UnreadableFile` when the file cannot be read, :class:`YamlError` when it
    is not valid YAML or goes over a limit of :mod:`mappings.bounded`."""
    try:
        text = read_text(path)
    except FileProblem as problem:
        raise UnreadableFile(path, problem.reason) from None
    return parse_yaml(text, str(path))
