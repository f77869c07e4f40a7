"""From a YAML file to validated settings: ``${ENV}`` interpolation and located errors.

This module is generic: it interpolates environment variables into a parsed
:class:`~mappings.yamldoc.Document` and turns pydantic validation errors into
:class:`ConfigIssue` lines (``FILE:LINE: key.path: message``) with "did you mean" hints.
:mod:`sync.config.settings` holds the models and the public ``load_settings``.
"""

from __future__ import annotations

import difflib
import os
import re
import types
import typing
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from mappings.yamldoc import Document, Issue, KeyPath

ConfigIssue = Issue
CONFIG_ENV = "LEADLOOP_CONFIG"
DEFAULT_CONFIG = Path("leadloop.yaml")
_REFERENCE = re.compile(r"\$\$\{|\$\{([^}]*)\}")
_VAR = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$", re.DOTALL)


class ConfigError(Exception):
    """The configuration is invalid. ``errors`` lists every problem, each with file and line."""

    def __init__(self, errors: list[ConfigIssue]) -> None:
        super().__init__("\n".join(str(issue) for issue in errors))
        self.errors = errors


class Interpolated(str):
    """A config string that contained ``${...}`` references, with its template kept.

    Secret fields accept only values whose template is nothing but references to variables
    that were set (no literal text, no ``:-default``): a default is a literal in the file.
    """

    template: str
    from_env_only: bool

    def __new__(cls, value: str, template: str, from_env_only: bool) -> Interpolated:
        self = super().__new__(cls, value)
        self.template = template
        self.from_env_only = from_env_only
        return self


def resolve_config_path(cli_value: str | Path | None, env: Mapping[str, str] | None = None) -> Path:
    """The config file to read: ``-c`` if given, else ``$LEADLOOP_CONFIG``, else ./leadloop.yaml."""
    environ = os.environ if env is None else env
    if cli_value:
        return Path(cli_value)
    if environ.get(CONFIG_ENV):
        return Path(environ[CONFIG_ENV])
    return DEFAULT_CONFIG


def _interpolate(text: str, env: Mapping[str, str]) -> tuple[str, list[str], bool]:
    """``text`` with references replaced; the missing variables; whether env alone made it."""
    missing: list[str] = []
    only_env = [True]

    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "$${":
            return "${"
        parsed = _VAR.match(match.group(1).strip())
        if parsed is None:
            missing.append(
                f"invalid reference ${{{match.group(1)}}} (use ${{NAME}} or "
                "${NAME:-default}; write $${ for a literal ${)"
            )
            return ""
        name, default = parsed.group(1), parsed.group(2)
        if name in env:
            return env[name]
        only_env[0] = False
        if default is None:
            missing.append(f"environment variable {name} is not set")
            return ""
        return default

    result = _REFERENCE.sub(replace, text)
    literal = _REFERENCE.sub("", text)
    return result, missing, only_env[0] and not literal and "$${" not in text


def interpolate_text(text: str, env: Mapping[str, str]) -> str:
    """``text`` with its references resolved (unset variables without default become "")."""
    return _interpolate(text, env)[0]


def interpolate(doc: Document, env: Mapping[str, str]) -> tuple[Any, list[tuple[KeyPath, str]]]:
    """A copy of ``doc.data`` with ``${VAR}``, ``${VAR:-default}`` and ``$${`` resolved in
    every string value, plus the problems found as (key path, message)."""
    problems: list[tuple[KeyPath, str]] = []

    def walk(value: Any, path: KeyPath) -> Any:
        if isinstance(value, dict):
            return {k: walk(v, (*path, k)) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, (*path, i)) for i, v in enumerate(value)]
        if isinstance(value, str) and "${" in value:
            result, missing, only_env = _interpolate(value, env)
            problems.extend((path, message) for message in missing)
            return Interpolated(result, value, only_env)
        return value

    return walk(doc.data, ()), problems


# --------------------------------------------------------------------------------------------
# pydantic errors -> located issues
# --------------------------------------------------------------------------------------------


def _unwrap(tp: Any) -> Any:
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            members = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(members) != 1:
                return tp
            tp = members[0]
        else:
            return tp


def _union_member(tp: Any, tag: Any) -> type[BaseModel] | None:
    for member in typing.get_args(tp):
        member = _unwrap(member)
        if not (isinstance(member, type) and issubclass(member, BaseModel)):
            continue
        for info in member.model_fields.values():
            if typing.get_origin(info.annotation) is typing.Literal and tag in typing.get_args(
                info.annotation
            ):
                return member
    return None


def locate(model: type[BaseModel], loc: Sequence[str | int]) -> tuple[KeyPath, Any]:
    """Map a pydantic error location to the key path in the file (dropping union tags and
    internal markers) and the type found at that location."""
    tp: Any = model
    path: list[str | int] = []
    for part in loc:
        if isinstance(part, str) and (part == "[key]" or part.startswith("function-")):
            continue
        tp = _unwrap(tp)
        origin = typing.get_origin(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            info = tp.model_fields.get(str(part))
            tp = info.annotation if info else None
        elif origin in (typing.Union, types.UnionType):
            tp = _union_member(tp, part)
            continue
        elif origin in (dict, list, tuple, set, frozenset) or origin is typing.Literal:
            args = typing.get_args(tp)
            tp = args[-1] if origin is dict else (args[0] if args else None)
        else:
            tp = None
        path.append(part)
    return tuple(path), tp


def _tags(tp: Any, key: str) -> list[Any]:
    """The values the discriminator ``key`` may take in the union ``tp``."""
    tags: list[Any] = []
    for member in typing.get_args(_unwrap(tp)):
        info = getattr(_unwrap(member), "model_fields", {}).get(key)
        if info is not None and typing.get_origin(info.annotation) is typing.Literal:
            tags.extend(typing.get_args(info.annotation))
    return tags


def _message(error: ErrorDetails, tp: Any) -> str:
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == "extra_forbidden":
        return ""  # handled with the hint by the caller
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return "expected a mapping (key: value pairs)"
    if kind == "list_type":
        return "expected a list"
    if kind == "missing":
        return "required key is missing"
    if kind == "union_tag_invalid":
        return f"unknown value {ctx.get('tag')!r} (expected {ctx.get('expected_tags')})"
    if kind == "union_tag_not_found":
        key = str(ctx.get("discriminator", "")).strip("'")
        tags = ", ".join(repr(t) for t in _tags(tp, key))
        return f"missing the key {key!r}" + (f" ({tags})" if tags else "")
    message = error["msg"]
    for prefix in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    return message


def _unknown_key(key: str, parent_type: Any) -> str:
    parent = _unwrap(parent_type)
    known = (
        list(parent.model_fields)
        if isinstance(parent, type) and issubclass(parent, BaseModel)
        else []
    )
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    if close:
        return f"unknown key {key!r}; did you mean {close[0]!r}?"
    return (
        f"unknown key {key!r} (expected one of: {', '.join(known)})"
        if known
        else (f"unknown key {key!r}")
    )


def pydantic_issues(
    doc: Document, model: type[BaseModel], error: ValidationError, skip: set[KeyPath]
) -> list[ConfigIssue]:
    """Every pydantic error as a located issue; errors under a path in ``skip`` (already
    reported, e.g. an unset variable) are left out."""
    issues = []
    for detail in error.errors(include_url=False, include_input=False):
        path, tp = locate(model, detail["loc"])
        if any(path[: len(s)] == s for s in skip):
            continue
        if detail["type"] == "extra_forbidden":
            _, parent = locate(model, detail["loc"][:-1])
            message = _unknown_key(str(path[-1]), parent)
        else:
            message = _message(detail, tp)
        if detail["type"] == "union_tag_invalid":
            path = (*path, str((detail.get("ctx") or {}).get("discriminator", "")).strip("'"))
        issues.append(doc.issue(path, message))
    return issues


def sort_issues(issues: list[ConfigIssue]) -> list[ConfigIssue]:
    """Issues without repeats, in file and line order."""
    unique = list(dict.fromkeys(issues))
    return sorted(unique, key=lambda i: (i.file, i.line or 0, i.key_path, i.message))
