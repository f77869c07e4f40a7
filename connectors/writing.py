"""What a connector writes and answers: corrections, their outcomes, and the CRM's field
descriptions that tell what a field takes. Part of the contract of :mod:`connectors.base`
(which re-exports every name here)."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

#: The pseudo-field of a review flag delivered as a task for the record's owner (a Salesforce
#: Task, a HubSpot task associated with the contact): a correction setting it to a text makes
#: leadloop's one open task on the record say that text (found by its "leadloop:" subject, else
#: created); None closes it. Connectors handle it beside the record's own fields.
TASK_FIELD = "@task"


@dataclass(frozen=True)
class Correction:
    """A change to write to one CRM record.

    ``changes`` maps CRM field names to the new value (None clears the field).
    ``expected`` maps CRM field names to the values the change was decided on: the evaluated
    values of the fields it changes and of the fields the decision depended on (the status for
    a reason fix, the reasons for a status fix). A field whose current value differs from its
    evaluated one (and is not already the target) was changed by someone else: the writer
    refuses the correction (CONFLICT). Values, not stamps, tell: Salesforce stamps have whole
    seconds, so a save in the evaluated second leaves the stamp as it was.
    ``expected_modstamp`` is the record's modification stamp when the change was evaluated: a
    later stamp set by someone else (where the CRM names the last modifier) also refuses it.
    ``maybe_sent``: an earlier attempt may have written it and its answer was lost (a crash, a
    cut connection): finding the target values then means the write landed (``applied``).
    ``remote_id``: for a :data:`TASK_FIELD` correction, the task leadloop last wrote for the
    record, if it knows one. ``key`` is the idempotency key chosen by the engine; outcomes
    carry it back.
    """

    key: str
    record_id: str
    changes: Mapping[str, str | None]
    expected_modstamp: datetime | None
    expected: Mapping[str, str | None] = field(default_factory=dict)
    maybe_sent: bool = False
    remote_id: str | None = None

    @property
    def is_task(self) -> bool:
        """Whether this correction is a review flag delivered as a task."""
        return TASK_FIELD in self.changes


@dataclass(frozen=True)
class FieldInfo:
    """What the CRM says about one field, enough to write a value it takes.

    ``kind`` is one of ``text``, ``boolean``, ``picklist`` (one value of a list), ``number``,
    ``date``, ``datetime`` or ``other`` (references, multi-select lists, ...); ``crm_type``
    is the CRM's own name for the type, for messages. ``length`` is a text field's maximum
    (None: not stated); ``options`` a picklist's active values in the CRM's order and
    ``default`` its default value, if any. ``writable``: the API user may set it.
    """

    name: str
    kind: str
    crm_type: str
    writable: bool = True
    length: int | None = None
    options: tuple[str, ...] = ()
    default: str | None = None


class OutcomeStatus(enum.StrEnum):
    """What happened to one correction."""

    SENT = "sent"  # written, or the CRM already held exactly these values
    CONFLICT = "conflict"  # record changed since evaluation; not written
    RETRY = "retry"  # transient failure for this record (row lock, 5xx); try again later
    DEAD = "dead"  # permanent failure for this record (bad value, deleted record, ...)


@dataclass(frozen=True)
class WriteOutcome:
    """The result of one correction. ``message`` says why for anything but SENT."""

    key: str
    record_id: str
    status: OutcomeStatus
    message: str | None = None
    applied: bool = False  # True when this call actually changed the CRM record
    new_modstamp: datetime | None = None
    remote_id: str | None = None  # the task a TASK_FIELD correction wrote or found
