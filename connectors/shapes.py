"""Checking that an API answer has the shape its documentation gives, before anything reads it.

An answer without that shape (an empty 200, a body cut short, an HTML page from a proxy or a
login portal, a JSON object missing a documented key) is never read as "nothing more": it is a
:class:`~connectors.base.MalformedAnswer`, retried under the one retry policy and, if it
persists, stopping the run before the cursor moves. Messages name the call and what was wrong,
never the body itself.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from connectors.base import MalformedAnswer

#: top-level key -> the JSON type(s) its value must have
Shape = Mapping[str, type | tuple[type, ...]]


def parse_json(status: int, body: bytes | str | None) -> Any:
    """The JSON value of a response body; MalformedAnswer when it is empty or not JSON."""
    if not body:
        raise MalformedAnswer(f"HTTP {status} with an empty body instead of JSON")
    try:
        return json.loads(body)
    except ValueError:
        raise MalformedAnswer(f"HTTP {status} answer is {describe_body(body)}") from None


def describe_body(body: bytes | str) -> str:
    """What a body that is not JSON looks like, without quoting it."""
    head = body[:512].decode("utf-8", "replace") if isinstance(body, bytes) else body[:512]
    if head.lstrip().startswith("<"):
        return "an HTML/XML page, not JSON"
    return f"not valid JSON ({len(body)} bytes, cut short or garbled)"


def require(data: Any, shape: Shape) -> dict[str, Any]:
    """``data`` if it is a JSON object with every key of ``shape`` of the right type."""
    if not isinstance(data, dict):
        raise MalformedAnswer(f"answer is a JSON {_json_type(data)}, not an object")
    for key, kind in shape.items():
        if key not in data:
            raise MalformedAnswer(f"answer lacks the documented key {key!r}")
        if not isinstance(data[key], kind) or (kind is int and isinstance(data[key], bool)):
            raise MalformedAnswer(f"{key!r} is a JSON {_json_type(data[key])}, not {_names(kind)}")
    return data


def _json_type(value: Any) -> str:
    names = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}
    return names.get(type(value), "number")


def _names(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(_json_type(k()) if k is not type(None) else "null" for k in kinds)
