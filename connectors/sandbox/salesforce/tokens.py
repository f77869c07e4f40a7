"""SOQL tokens: the tokenizer of the emulator's SOQL subset and its error type.

Errors read like Salesforce's own (``ERROR at Row:1:Column:26`` and the offending token), so
a refused query is easy to locate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

KEYWORDS = frozenset(
    {
        "SELECT",
        "FROM",
        "WHERE",
        "AND",
        "OR",
        "NOT",
        "IN",
        "LIKE",
        "ORDER",
        "BY",
        "ASC",
        "DESC",
        "NULLS",
        "FIRST",
        "LAST",
        "LIMIT",
        "TRUE",
        "FALSE",
        "NULL",
        "COUNT",
        "GROUP",
        "HAVING",
        "OFFSET",
        "INCLUDES",
        "EXCLUDES",
        "WITH",
        "FOR",
    }
)
_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:?\d{2}))
  | (?P<date>\d{4}-\d{2}-\d{2}(?![\dT]))
  | (?P<number>[+-]?\d+(?:\.\d+)?(?![\w.]))
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
  | (?P<string>'(?:[^'\\]|\\.)*')
  | (?P<op>!=|<>|<=|>=|=|<|>)
  | (?P<punct>[(),])
""",
    re.VERBOSE | re.DOTALL,
)
_ESCAPES = {
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "b": "\b",
    "f": "\f",
    "'": "'",
    '"': '"',
    "\\": "\\",
    "_": "\\_",
    "%": "\\%",
}


class SoqlError(Exception):
    """A query Salesforce would refuse: ``code`` is the REST errorCode."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Token:
    kind: str  # name, keyword, string, number, datetime, date, op, punct, eof
    text: str
    pos: int
    value: Any = None


def malformed(source: str, pos: int, message: str, code: str = "MALFORMED_QUERY") -> SoqlError:
    """A Salesforce-style parse error pointing at ``pos`` (row and column are 1-based)."""
    row = source.count("\n", 0, pos) + 1
    column = pos - (source.rfind("\n", 0, pos) + 1) + 1
    line = source.splitlines()[row - 1] if source.strip() else ""
    caret = " " * (column - 1) + "^"
    return SoqlError(code, f"\n{line}\n{caret}\nERROR at Row:{row}:Column:{column}\n{message}")


def tokenize(source: str) -> list[Token]:
    """The tokens of ``source`` ending with an ``eof`` token."""
    tokens: list[Token] = []
    pos = 0
    while pos < len(source):
        match = _TOKEN.match(source, pos)
        if match is None:
            raise malformed(source, pos, f"unexpected character: '{source[pos]}'")
        kind = match.lastgroup or ""
        text = match.group()
        if kind == "name" and text.upper() in KEYWORDS:
            tokens.append(Token("keyword", text.upper(), pos))
        elif kind == "string":
            tokens.append(Token(kind, text, pos, _unescape(source, pos, text[1:-1])))
        elif kind != "ws":
            tokens.append(Token(kind, text, pos))
        pos = match.end()
    tokens.append(Token("eof", "<EOF>", len(source)))
    return tokens


def _unescape(source: str, pos: int, body: str) -> str:
    out, index = [], 0
    while index < len(body):
        char = body[index]
        if char == "\\":
            escaped = body[index + 1]
            if escaped == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", body[index + 2 : index + 6]):
                out.append(chr(int(body[index + 2 : index + 6], 16)))
                index += 6
                continue
            if escaped not in _ESCAPES:
                raise malformed(source, pos, f"Invalid string literal: bad escape '\\{escaped}'")
            out.append(_ESCAPES[escaped])
            index += 2
            continue
        out.append(char)
        index += 1
    return "".join(out)
