"""Bounded reading of the files leadloop is given: size, file type, YAML depth and aliases.

A config, mapping or catalogue file is read only when it is a regular file of at most
:data:`MAX_FILE_BYTES`; a secret file (:func:`read_file` with a smaller limit) likewise. A
device such as ``/dev/zero``, a FIFO or a directory is refused before a byte is read, so that
nothing blocks or reads without end.

:class:`BoundedLoader` is PyYAML's ``SafeLoader`` with its composer watched: no value nested
deeper than :data:`MAX_DEPTH` levels, aliases (``*name``) that add at most
:data:`MAX_ALIAS_VALUES` values in all once expanded (the "billion laughs" bomb adds 387
million from 500 bytes), and no alias inside the value it names. Limiting the expansion rather
than the number of aliases is what bounds both time and memory (serde-yaml and go-yaml do the
same), and it is measured while composing, before anything is expanded.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import yaml
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, SequenceNode

MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 32
MAX_ALIAS_VALUES = 10_000
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
)


class FileProblem(Exception):
    """A file that cannot be read. ``reason`` says why without quoting its content."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def size_text(size: int) -> str:
    """``1000000`` -> ``1 MB``, ``48234483`` -> ``48.2 MB``, ``64000`` -> ``64 kB``."""
    for unit, scale in (("MB", 1_000_000), ("kB", 1_000)):
        if size >= scale:
            return f"{size / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{size} bytes"


def _kind(mode: int) -> str | None:
    return next((name for test, name in _KINDS if test(mode)), None)


def _reason(error: OSError | ValueError) -> str:
    if isinstance(error, ValueError):  # a NUL character: no system call takes such a path
        return "not a valid path (it holds a NUL character)"
    return error.strerror or type(error).__name__


def require_regular(path: Path) -> None:
    """:class:`FileProblem` unless ``path`` names a regular file (a link to one will do)."""
    try:
        kind = _kind(os.stat(path).st_mode)
    except (OSError, ValueError) as error:
        raise FileProblem(path, _reason(error)) from None
    if kind is not None:
        raise FileProblem(path, f"it is {kind}, not a regular file")


def read_file(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of the regular file at ``path``; :class:`FileProblem` when it is missing,
    not a regular file (checked before reading, so a FIFO never blocks) or over ``limit``."""
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except (OSError, ValueError) as error:
        raise FileProblem(path, _reason(error)) from None
    try:
        info = os.fstat(fd)
        kind = _kind(info.st_mode)
        if kind is not None:
            raise FileProblem(path, f"it is {kind}, not a regular file")
        if info.st_size > limit:
            size, most = size_text(info.st_size), size_text(limit)
            raise FileProblem(path, f"it is {size}, over the limit of {most}")
        data = _read_up_to(fd, limit + 1)
    finally:
        os.close(fd)
    if len(data) > limit:  # a file that grew, or reports no size (/proc)
        raise FileProblem(path, f"it is over the limit of {size_text(limit)}")
    return data


def _read_up_to(fd: int, count: int) -> bytes:
    chunks: list[bytes] = []
    while count > 0 and (chunk := os.read(fd, min(count, 1 << 16))):
        chunks.append(chunk)
        count -= len(chunk)
    return b"".join(chunks)


def read_text(path: Path, limit: int = MAX_FILE_BYTES) -> str:
    """:func:`read_file` decoded as UTF-8 (a :class:`FileProblem` when it is not)."""
    try:
        return read_file(path, limit).decode("utf-8")
    except UnicodeDecodeError:
        raise FileProblem(path, "not UTF-8 text") from None


class LimitExceeded(yaml.MarkedYAMLError):
    """A document over one of :class:`BoundedLoader`'s limits, with the place it went over."""

    def __init__(self, problem: str, mark: yaml.Mark) -> None:
        super().__init__(problem=problem, problem_mark=mark)


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return []


class BoundedLoader(yaml.SafeLoader):
    """``SafeLoader`` refusing deep nesting, alias bombs and alias cycles while composing."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._alias_values = 0
        # per composed node (alive as long as the tree): values and levels, aliases expanded
        self._sizes: dict[int, int] = {}
        self._heights: dict[int, int] = {}

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        mark = self.peek_event().start_mark
        if self.check_event(AliasEvent):
            return self._alias(super().compose_node(parent, index), mark)
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise LimitExceeded(f"nested deeper than {MAX_DEPTH} levels", mark)
        node = super().compose_node(parent, index)
        self._depth -= 1
        if node is None:
            return None
        children = _children(node)
        self._sizes[id(node)] = 1 + sum(self._sizes[id(child)] for child in children)
        height = 1 + max((self._heights[id(child)] for child in children), default=0)
        if self._depth + height > MAX_DEPTH:
            raise LimitExceeded(f"nested deeper than {MAX_DEPTH} levels (aliases expanded)", mark)
        self._heights[id(node)] = height
        return node

    def _alias(self, node: Node | None, mark: yaml.Mark) -> Node | None:
        size = self._sizes.get(id(node))
        if size is None:
            raise LimitExceeded("an alias inside the value its anchor names (a cycle)", mark)
        self._alias_values += size
        if self._alias_values > MAX_ALIAS_VALUES:
            raise LimitExceeded(
                f"aliases expand to more than {MAX_ALIAS_VALUES:,} values (an alias bomb?)", mark
            )
        return node
