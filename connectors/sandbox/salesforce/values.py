"""Salesforce wire formats: 18-character ids, datetimes, dates.

Records keep datetimes as their REST wire string (``2026-01-05T09:00:00.000+0000``, always UTC,
millisecond format; system stamps are whole seconds unless that quirk is off): the strings sort
like the instants they stand for, so queries compare and order them without parsing, and pages
serialise without conversion.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_CHECKSUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
WIRE_FORMAT = "%Y-%m-%dT%H:%M:%S"
ONE_MS = timedelta(milliseconds=1)


def with_checksum(id15: str) -> str:
    """The 18-character case-safe form of a 15-character Salesforce id."""
    suffix = ""
    for start in (0, 5, 10):
        bits = sum(1 << i for i, char in enumerate(id15[start : start + 5]) if "A" <= char <= "Z")
        suffix += _CHECKSUM[bits]
    return id15 + suffix


def make_id(prefix: str, number: int, pod: str = "Dn0") -> str:
    """An 18-char id ``<prefix><pod><9 base62 digits><checksum>``; sorts in ``number`` order."""
    digits = ""
    for _ in range(9):
        number, rest = divmod(number, 62)
        digits = BASE62[rest] + digits
    return with_checksum(f"{prefix}{pod}{digits}")


def valid_id(value: str, prefix: str) -> bool:
    """Whether ``value`` is a well-formed 15/18-char id with ``prefix`` (and a right checksum)."""
    if len(value) not in (15, 18) or not value.startswith(prefix):
        return False
    if not all(char in BASE62 for char in value):
        return False
    return len(value) == 15 or with_checksum(value[:15]) == value


def wire(moment: datetime) -> str:
    """``2026-01-05T09:00:00.000+0000``: the REST JSON form of an aware datetime."""
    moment = moment.astimezone(UTC)
    return moment.strftime(WIRE_FORMAT) + f".{moment.microsecond // 1000:03d}+0000"


def parse_wire(text: str) -> datetime:
    """The aware datetime of a wire string (inverse of :func:`wire`)."""
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z")


def parse_iso(text: str) -> datetime:
    """An ISO-8601 instant with ``Z``, ``+00:00`` or ``+0000`` offset (naive is refused)."""
    moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"datetime {text!r} has no UTC offset")
    return moment.astimezone(UTC)


def bulk_datetime(text: str) -> str:
    """Bulk API CSV form of a wire datetime: ``2026-01-05T09:00:00.000Z``."""
    return text[:23] + "Z"


def day(moment: datetime) -> str:
    """``YYYY-MM-DD`` of an aware datetime, in UTC."""
    return moment.astimezone(UTC).date().isoformat()


def next_stamp(now: datetime, previous: str | None, whole_seconds: bool = True) -> str:
    """A modstamp for a write at ``now``, never before ``previous``.

    Salesforce stamps have whole-second precision, so every write in one second shares one
    stamp (https://salesforce.stackexchange.com/questions/234824). Without ``whole_seconds``
    (a quirk switched off) a stamp keeps milliseconds and moves at least one past ``previous``.
    """
    if whole_seconds:
        stamp = wire(now.replace(microsecond=0))
        return stamp if previous is None or stamp > previous else previous
    moment = now.astimezone(UTC).replace(microsecond=now.microsecond // 1000 * 1000)
    if previous is not None and wire(moment) <= previous:
        moment = parse_wire(previous) + ONE_MS
    return wire(moment)


def whole_second(text: str) -> str:
    """A wire datetime cut to its second (``...:15.000+0000``)."""
    return text[:19] + ".000+0000"


def is_date(text: str) -> bool:
    """Whether ``text`` is a ``YYYY-MM-DD`` date."""
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10
