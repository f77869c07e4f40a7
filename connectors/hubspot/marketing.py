"""What the feedback targets share: property specs, their check against HubSpot's definitions,
batch answers read per input, and the errors that stop one target but not the other.

Marketing's numbers land in HubSpot two ways (:mod:`.feedback_object`: a custom object;
:mod:`.contact_feedback`: properties on contacts). Both write through :class:`HubSpotApi`, so
every call is counted and budgeted like the sync's.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from connectors.base import FatalError, SchemaError

#: records per batch call (https://developers.hubspot.com/docs/api-reference/error-handling:
#: "The maximum number of inputs supported in a batch is 100")
BATCH_LIMIT = 100
T = TypeVar("T")
Status = Literal["sent", "failed", "retry"]


class TargetUnavailable(FatalError):
    """This portal cannot take a target (no custom objects, a missing scope): that target is
    skipped with this message, the other one still runs."""


@dataclass(frozen=True)
class PropertySpec:
    """A property leadloop owns on an object: its type, and options for an enumeration."""

    name: str
    label: str
    type: str  # string, number, date, enumeration
    field_type: str  # text, number, date, select
    options: tuple[tuple[str, str], ...] = ()  # (internal value, label)
    unique: bool = False
    description: str = ""

    def create_body(self, group: str | None) -> dict[str, Any]:
        """The property's definition as the properties and schemas APIs take it."""
        body: dict[str, Any] = {
            "name": self.name, "label": self.label, "type": self.type,
            "fieldType": self.field_type, "description": self.description,
            "hasUniqueValue": self.unique,
            "options": [
                {"label": label, "value": value, "displayOrder": i, "hidden": False}
                for i, (value, label) in enumerate(self.options)
            ],
        }  # fmt: skip
        if group is not None:
            body["groupName"] = group
        return body


@dataclass(frozen=True)
class Pushed:
    """What became of one record: ``key`` is ours (the unique key or the contact id)."""

    key: str
    status: Status
    remote_id: str | None = None
    message: str | None = None


def mismatch(where: str, spec: PropertySpec, found: Mapping[str, Any]) -> str | None:
    """Why an existing property cannot hold ``spec``'s values (None when it can)."""
    kind = found.get("type")
    if kind != spec.type:
        return (
            f"{where}: property {spec.name!r} exists as type {kind!r}, leadloop writes "
            f"{spec.type!r} values; rename or delete that property in HubSpot"
        )
    if spec.unique and not found.get("hasUniqueValue"):
        return (
            f"{where}: property {spec.name!r} exists without unique values, so records "
            f"cannot be upserted on it; delete it in HubSpot and leadloop recreates it"
        )
    return None


def by_name(definitions: Any) -> dict[str, dict[str, Any]]:
    """Property definitions (a list from an answer) by name; anything else is ignored."""
    return {
        str(p["name"]): p
        for p in definitions or []
        if isinstance(p, dict) and isinstance(p.get("name"), str)
    }


def missing_properties(
    where: str,
    specs: Sequence[PropertySpec],
    found: Mapping[str, Mapping[str, Any]],
    create: bool,
) -> list[PropertySpec]:
    """The specs ``found`` (name -> definition) lacks, to create; raise one
    :class:`SchemaError` listing every property that exists with another type, and the
    missing ones when leadloop may not create them."""
    checked = (mismatch(where, spec, found[spec.name]) for spec in specs if spec.name in found)
    problems = [problem for problem in checked if problem is not None]
    missing = [spec for spec in specs if spec.name not in found]
    if missing and not create:
        names = ", ".join(spec.name for spec in missing)
        problems.append(f"{where}: properties {names} are missing (allow create, or add them)")
    if problems:
        raise SchemaError("; ".join(problems))
    return missing


def chunks(items: Sequence[T], size: int = BATCH_LIMIT) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def batch_answers(keys: Sequence[str], data: Mapping[str, Any], key_of: Any) -> list[Pushed]:
    """Per input of a 200 or 207 batch answer: sent (with its record id), failed (HubSpot's
    message, from ``errors[].context.ids``), or retry (neither confirmed nor refused).
    ``key_of(result)`` names the input a result answers. 207 shape:
    https://developers.hubspot.com/docs/api-reference/error-handling"""
    done = {key_of(r): str(r.get("id")) for r in data.get("results") or [] if isinstance(r, dict)}
    failed: dict[str, str] = {}
    for problem in data.get("errors") or []:
        message = f"{problem.get('category')}: {problem.get('message')}"[:300]
        for key in (problem.get("context") or {}).get("ids") or []:
            failed[str(key)] = message
    answers = []
    for key in keys:
        if key in done:
            answers.append(Pushed(key, "sent", done[key]))
        elif key in failed:
            answers.append(Pushed(key, "failed", message=failed[key]))
        else:
            answers.append(Pushed(key, "retry", message="neither confirmed nor refused"))
    return answers
