"""The conflict check both writers share: does the record still read as it was evaluated?

A correction carries the values it was decided on (:attr:`Correction.expected`). Before every
write attempt the writer re-reads the record and refuses the correction when a field now holds
something else than its evaluated value and is not already the target: someone changed it
after the evaluation, whatever the stamps say (Salesforce stamps have whole seconds, so a save
in the evaluated second leaves the stamp as it was). A later stamp refuses it too, unless the
CRM names leadloop's own API user as the last modifier (leadloop's own save since, e.g. an
undo after a later run).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from connectors.base import Correction

#: ``same(current CRM value, text value)``: the CRM's own equality (types, empty values)
Same = Callable[[Any, str | None], bool]


def changed_value(correction: Correction, current: Mapping[str, Any], same: Same) -> str | None:
    """Why the record no longer reads as evaluated (the first field that moved), or None."""
    for name, evaluated in correction.expected.items():
        now = current.get(name)
        if same(now, evaluated):
            continue
        if name in correction.changes and same(now, correction.changes[name]):
            continue  # already our target (an earlier attempt of ours, or the same edit)
        return (
            f"{name} is {_shown(now)} now, evaluated {_shown(evaluated)}: changed by someone "
            "else after evaluation"
        )
    return None


def changed_stamp(
    correction: Correction, stamp: datetime | None, by_us: bool = False
) -> str | None:
    """Why a later modstamp refuses the correction (None: not later, or our own save)."""
    evaluated = correction.expected_modstamp
    if evaluated is None or stamp is None or stamp <= evaluated or by_us:
        return None
    return f"record changed at {stamp.isoformat()} after evaluation at {evaluated.isoformat()}"


def landed(correction: Correction, stamp: datetime | None, by_us: bool | None) -> bool:
    """Whether target values found on the record are our write's: a maybe-sent correction
    whose record was saved after evaluation, by us where the CRM names the last modifier."""
    if not correction.maybe_sent:
        return False
    if by_us is not None:
        return by_us
    evaluated = correction.expected_modstamp
    return evaluated is None or stamp is None or stamp > evaluated


def _shown(value: Any) -> str:
    return "empty" if value is None or value == "" else repr(value)
