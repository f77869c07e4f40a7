"""Value transforms named in mapping files (``transforms: [trim, email]``).

Each transform is a pure function ``(value, context) -> value``. Bad data never raises
anything but :class:`TransformProblem`, which the normalizer turns into a per-record problem
(the field becomes empty, the run goes on). ``None`` passes through every transform.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

import phonenumbers
from email_validator import EmailNotValidError, validate_email

# re-exported for the normalizer, which reads a record's phone region before transforming
from mappings.regions import region_for_country as region_for_country


class TransformProblem(ValueError):
    """A value a transform cannot make sense of. The message never contains the value."""


@dataclass(frozen=True)
class Context:
    """What a transform may know about the record besides the value: its phone region."""

    region: str | None = None


Transform = Callable[[Any, Context], Any]

_TRUE = frozenset({"true", "1", "yes", "y", "on", "t"})
_FALSE = frozenset({"false", "0", "no", "n", "off", "f", ""})
_CACHE_SIZE = 65536


def trim(value: Any, context: Context) -> Any:
    """Strip surrounding whitespace; an empty string becomes None."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def lower(value: Any, context: Context) -> Any:
    """Lower-case text."""
    return value.lower() if isinstance(value, str) else value


def text(value: Any, context: Context) -> str | None:
    """Text as text: numbers become their string form, empty becomes None."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):
        return str(value).lower() if isinstance(value, bool) else str(value)
    raise TransformProblem(f"expected text, got {type(value).__name__}")


# ASCII dot-atom local parts: email-validator accepts all of them, so only the domain needs
# its (slow, per-character) check, cached per domain. Anything else takes the full check.
_DOT_ATOM = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")


@lru_cache(maxsize=_CACHE_SIZE)
def _full_check(address: str) -> str | None:
    """None when email-validator accepts ``address``, else its reason."""
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError as error:
        return str(error)
    return None


def _email(value: str) -> str:
    local, at, domain = value.rpartition("@")
    fast = at and len(value) <= 254 and len(local) <= 64 and _DOT_ATOM.match(local)
    reason = _full_check(f"a@{domain}") if fast else _full_check(value)
    if reason is not None:
        raise TransformProblem(f"not a valid email address ({reason})")
    return value.lower()


def email(value: Any, context: Context) -> str | None:
    """A syntactically valid email address, stripped and lower-cased."""
    value = text(value, context)
    if value is None or not value.strip():
        return None
    return _email(value.strip())


@lru_cache(maxsize=_CACHE_SIZE)
def _phone(value: str, region: str | None) -> tuple[str, bool]:
    """``(E.164 number, True)``, or ``(why not, False)``: invalid numbers are cached too (a
    messy org repeats the same placeholders, "555" or "unknown", on thousands of leads)."""
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return "not a phone number", False
    # Checking against the record's own region first skips is_valid_number's search over
    # every region sharing the country code (25 for +1); the answer is the same.
    if not (
        region
        and number.country_code == phonenumbers.country_code_for_region(region)
        and phonenumbers.is_valid_number_for_region(number, region)
    ) and (not phonenumbers.is_valid_number(number)):
        return "not a valid phone number" + ("" if region else " (no country to read it in)"), False
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), True


def phone_e164(value: Any, context: Context) -> str | None:
    """A valid phone number in E.164 (``+14155550123``), read in the record's country."""
    value = text(value, context)
    if value is None or not value.strip():
        return None
    result, valid = _phone(value.strip(), context.region)
    if not valid:
        raise TransformProblem(result)
    return result


def number(value: Any, context: Context) -> float | None:
    """A finite number (``"1,234.5"`` and ``12`` included)."""
    if value is None or isinstance(value, bool):
        if isinstance(value, bool):
            raise TransformProblem("expected a number, got a boolean")
        return None
    if isinstance(value, int | float):
        result = float(value)
    else:
        cleaned = str(value).strip().replace(",", "")
        if not cleaned:
            return None
        try:
            result = float(cleaned)
        except ValueError:
            raise TransformProblem("not a number") from None
    if result != result or result in (float("inf"), float("-inf")):
        raise TransformProblem("not a finite number")
    return result


def boolean(value: Any, context: Context) -> bool | None:
    """True/false from booleans, 0/1 and the usual words (HubSpot sends ``"true"``)."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    folded = str(value).strip().lower()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return None if folded == "" else False
    raise TransformProblem("not a boolean (expected true/false)")


_EPOCH_MS = re.compile(r"^-?\d{10,}$")


def to_datetime(value: Any, context: Context) -> datetime | None:
    """An aware UTC datetime from Salesforce (``...000+0000``), ISO ``Z`` or epoch millis."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _from_epoch_ms(value)
    raw = str(value).strip()
    if _EPOCH_MS.match(raw):
        return _from_epoch_ms(int(raw))
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        raise TransformProblem("not a date-time (ISO 8601 or epoch milliseconds)") from None
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _from_epoch_ms(value: float) -> datetime:
    try:
        return datetime.fromtimestamp(value / 1000, UTC)
    except (OverflowError, OSError, ValueError):
        raise TransformProblem("epoch milliseconds out of range") from None


def to_date(value: Any, context: Context) -> datetime | None:
    """A calendar date (``2021-05-19``) as midnight UTC; a date-time keeps only its UTC date."""
    if isinstance(value, str) and len(value.strip()) == 10:
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            raise TransformProblem("not a date (expected YYYY-MM-DD)") from None
        return datetime(day.year, day.month, day.day, tzinfo=UTC)
    moment = to_datetime(value, context)
    return None if moment is None else moment.replace(hour=0, minute=0, second=0, microsecond=0)


def truncate(limit: int) -> Transform:
    """Cut text to ``limit`` characters (configured truncation, not reported)."""

    def apply(value: Any, context: Context) -> Any:
        return value[:limit] if isinstance(value, str) else value

    return apply


SIMPLE: dict[str, Transform] = {
    "trim": trim,
    "lower": lower,
    "text": text,
    "email": email,
    "phone_e164": phone_e164,
    "number": number,
    "boolean": boolean,
    "datetime": to_datetime,
    "date": to_date,
}
WITH_ARGUMENT: dict[str, Callable[[int], Transform]] = {"truncate": truncate}
#: transforms whose result is always of a canonical kind (or None): no coercion needed after
PRODUCES: dict[str, str] = {
    "text": "text",
    "email": "text",
    "phone_e164": "text",
    "number": "number",
    "boolean": "boolean",
    "datetime": "datetime",
    "date": "datetime",
}
NAMES = (*SIMPLE, *(f"{name}(N)" for name in WITH_ARGUMENT))
_CALL = re.compile(r"^\s*([a-z_0-9]+)\s*\(\s*(\d+)\s*\)\s*$")


def compile_transform(spec: str) -> Transform:
    """The transform named by ``spec`` (``trim``, ``truncate(80)``). Raises ValueError."""
    if spec in SIMPLE:
        return SIMPLE[spec]
    match = _CALL.match(spec)
    if match and match.group(1) in WITH_ARGUMENT and int(match.group(2)) > 0:
        return WITH_ARGUMENT[match.group(1)](int(match.group(2)))
    raise ValueError(f"unknown transform {spec!r} (known: {', '.join(NAMES)})")
