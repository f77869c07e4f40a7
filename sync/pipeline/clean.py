"""Text every store can keep: half surrogate pairs and NUL characters out of CRM payloads.

A JSON string may hold ``"\\ud83d"``, half of an emoji's UTF-16 surrogate pair (a tool cut the
text in the middle of a character), and ``"\\u0000"``. Python decodes both, but half a pair
cannot be encoded as UTF-8 (SQLite refuses the row), PostgreSQL text cannot hold a NUL
(https://www.postgresql.org/docs/current/datatype-character.html) and jsonb neither
(https://www.postgresql.org/docs/current/datatype-json.html). One such value used to fail its
page, and with it every later sync.

:func:`clean_payload` returns a copy in which each of them is U+FFFD, the Unicode replacement
character, and names the fields it changed, so that normalization can report them. Valid
pairs that arrive as two code points are joined into their character, not replaced.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

REPLACEMENT = "\ufffd"
SURROGATE = "half of a surrogate pair"
NUL = "a NUL character"
_SURROGATES = re.compile("[\ud800-\udfff]")
_SCALARS = (bool, int, float)


def clean_text(text: str) -> tuple[str, frozenset[str]]:
    """``text`` storable, and what was wrong with it (:data:`SURROGATE`, :data:`NUL`)."""
    if text.isascii():  # the common case, checked in C: only a NUL can be wrong
        if "\x00" not in text:
            return text, frozenset()
        return text.replace("\x00", REPLACEMENT), frozenset({NUL})
    found = set()
    if _SURROGATES.search(text):
        # UTF-16 joins the pairs that are whole and replaces the halves
        replaced = text.count(REPLACEMENT)
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
        if text.count(REPLACEMENT) > replaced:
            found.add(SURROGATE)
    if "\x00" in text:
        found.add(NUL)
        text = text.replace("\x00", REPLACEMENT)
    return text, frozenset(found)


def clean_value(value: Any) -> tuple[Any, frozenset[str]]:
    """A JSON value (text, number, list, object) storable, and what was wrong in it."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, Mapping):
        cleaned, found = clean_payload(value)
        return cleaned, frozenset().union(*found.values())
    if isinstance(value, list):
        items = [clean_value(item) for item in value]
        return [item for item, _ in items], frozenset().union(*(kinds for _, kinds in items))
    return value, frozenset()


def clean_payload(raw: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, frozenset[str]]]:
    """A storable copy of ``raw``, and field -> what was wrong in it (fields with nothing
    wrong are absent). A field name is cleaned like a value."""
    if _plain(raw):
        return dict(raw), {}
    cleaned: dict[str, Any] = {}
    found: dict[str, frozenset[str]] = {}
    for key, value in raw.items():
        plain = value is None or value.__class__ in _SCALARS
        if value.__class__ is str and value.isascii() and "\x00" not in value:
            plain = True
        if plain and key.__class__ is str and key.isascii() and "\x00" not in key:
            cleaned[key] = value  # a plain field, decided without a call
            continue
        name, wrong_name = clean_text(key) if isinstance(key, str) else (key, frozenset())
        cleaned[name], wrong = clean_value(value)
        if wrong or wrong_name:
            found[name] = wrong | wrong_name
    return cleaned, found


def _plain(raw: Mapping[str, Any]) -> bool:
    """Whether every key and value of ``raw`` is ASCII text without NUL, a scalar or None:
    nothing to clean (most records), decided by two joins and two scans in C."""
    try:
        keys = "".join(raw)
        texts = "".join(v for v in raw.values() if v is not None and v.__class__ not in _SCALARS)
    except TypeError:  # a key that is not text, or a list or an object among the values
        return False
    return keys.isascii() and texts.isascii() and "\x00" not in keys and "\x00" not in texts


def printable(text: str) -> str:
    """``text`` safe to print, log and store (for error messages that quote CRM data)."""
    return clean_text(text)[0]
