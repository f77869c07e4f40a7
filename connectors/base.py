"""The contract between the sync engine and every CRM connector.

A connector talks to one CRM: it reads records (as plain dicts keyed by the CRM's own field
names), writes corrections back, and reports how many API calls it spent. It knows nothing
about the database, the mappings or the policies; ``sync`` owns those.

Everything a connector raises on purpose is a :class:`ConnectorError` subclass, so the engine
can decide with one ``except`` what to do: stop the run (:class:`FatalError`,
:class:`LimitExhausted`) or try later (:class:`TransientError`). A problem with one record is
no exception at all: a write answers it in that record's :class:`WriteOutcome`; a read hands
every record it can identify (an id and a modstamp) over as it is, and the engine stores it
with a finding for what it cannot use (a record with neither is logged and left out).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any, Protocol, runtime_checkable

from connectors.errors import AuthError as AuthError
from connectors.errors import ConnectorError as ConnectorError
from connectors.errors import FatalError as FatalError
from connectors.errors import Forbidden as Forbidden
from connectors.errors import LimitExhausted as LimitExhausted
from connectors.errors import MalformedAnswer as MalformedAnswer
from connectors.errors import SchemaError as SchemaError
from connectors.errors import TransientError as TransientError
from connectors.usage import ApiUsage as ApiUsage
from connectors.writing import TASK_FIELD as TASK_FIELD
from connectors.writing import Correction as Correction
from connectors.writing import FieldInfo as FieldInfo
from connectors.writing import OutcomeStatus as OutcomeStatus
from connectors.writing import WriteOutcome as WriteOutcome

# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Cursor:
    """A position in a stream ordered by (modstamp, record id).

    Records are read in ascending ``(modstamp, record_id)`` order, so a cursor is a safe place
    to resume from: every record at or before it has been handed to the engine.
    """

    modstamp: datetime
    record_id: str = ""


@dataclass(frozen=True)
class Window:
    """A half-open time window ``[start, end)`` over the CRM's modification stamp.

    ``end`` is fixed once per run (never "now" re-read mid-run), so records modified while the
    run is under way are picked up by the next run instead of being skipped. ``start`` is None
    for "from the beginning".
    """

    start: datetime | None
    end: datetime

    def __post_init__(self) -> None:
        for value in (self.start, self.end):
            if value is not None and value.tzinfo is None:
                raise ValueError("Window bounds must be timezone-aware")
        if self.start is not None and self.start >= self.end:
            raise ValueError(f"empty window: start {self.start} is not before end {self.end}")


@dataclass(frozen=True)
class Deletions:
    """Which deleted records a pull lists, for a CRM that lists them apart from the changed
    ones at a cost of its own (HubSpot's archived contacts; Salesforce's queryAll returns them
    with the changes and ignores this). ``listed`` False: none this time (the engine lists them
    on a schedule); else those deleted at or after ``since`` (None: all the CRM still holds)
    and before the window's end, strictly after the pull's cursor."""

    listed: bool = True
    since: datetime | None = None


#: a pull that lists no deletions this time
NO_DELETIONS = Deletions(listed=False)


@dataclass(frozen=True)
class SourceRecord:
    """One CRM record as read: its id, its modification stamp and its raw fields.

    ``fields`` holds the CRM's own field names and values (Salesforce field API names; HubSpot
    property names) exactly as the API returned them, minus transport noise such as
    Salesforce's ``attributes``. ``deleted`` is true for records in the recycle bin / archived;
    ``merged_into`` names the surviving record when the CRM merged this one away.
    """

    record_id: str
    modstamp: datetime
    fields: Mapping[str, Any]
    deleted: bool = False
    merged_into: str | None = None


@dataclass(frozen=True)
class Page:
    """A batch of records plus the cursor that is safe to persist once they are stored.

    ``total``: how many records the whole pull returns, when the API says so (Salesforce's
    ``totalSize``, HubSpot search's ``total``), for progress bars; None when unknown.
    """

    records: Sequence[SourceRecord]
    cursor: Cursor | None
    total: int | None = None


# --------------------------------------------------------------------------------------------
# Secrets
# --------------------------------------------------------------------------------------------


def secret_values(settings: Any) -> list[str]:
    """The secrets of a connection dataclass: its fields kept out of ``repr`` (passwords,
    tokens, keys), never the names that go with them (a username is not a secret, and masking
    it would hide who failed to log in)."""
    return [
        value
        for item in fields(settings)
        if not item.repr and isinstance(value := getattr(settings, item.name), str) and value
    ]


# --------------------------------------------------------------------------------------------
# Protocols
# --------------------------------------------------------------------------------------------


@runtime_checkable
class Connector(Protocol):
    """What the engine needs from a CRM connector. One instance serves one configured source."""

    #: the CRM kind, e.g. "salesforce" or "hubspot"
    kind: str
    #: the field holding the record's modification stamp (``SystemModstamp``, ``lastmodifieddate``)
    modstamp_field: str
    usage: ApiUsage

    def check(self) -> None:
        """Log in and verify that every mapped field exists. Raises FatalError otherwise."""

    def field_options(self, field_name: str) -> frozenset[str] | None:
        """Allowed values of a picklist/enumeration field; None when any value is accepted."""

    def field_info(self, field_name: str) -> FieldInfo | None:
        """The field's type, length and options as the CRM describes them (None: no such
        field). Costs at most the one describe call the connector caches."""

    def pull(
        self, window: Window, after: Cursor | None = None, deletions: Deletions | None = None
    ) -> Iterator[Page]:
        """Records modified in ``window`` (deleted/archived ones included), ascending by
        (modstamp, id), starting strictly after ``after`` when given. Each page's cursor may be
        persisted once its records are stored; the last page's cursor is at most ``window.end``.
        ``deletions``: see :class:`Deletions` (None: those deleted in ``window``).
        """

    def pull_all(self) -> Iterator[Page]:
        """Every record (full resync), deleted ones included, streamed in pages."""

    def pull_ids(self, record_ids: Sequence[str]) -> Iterator[Page]:
        """The given records (resync by id). Unknown ids are simply absent from the result."""

    def write(self, corrections: Sequence[Correction]) -> list[WriteOutcome]:
        """Apply corrections in batches, conflict-checked. One outcome per correction, in order.

        Raises only for run-level problems (FatalError, LimitExhausted, TransientError after
        retries); record-level problems become CONFLICT / RETRY / DEAD outcomes.
        """

    def close(self) -> None:
        """Release sessions and connections."""


@runtime_checkable
class FieldHistory(Protocol):
    """Optional: the CRM's own history of a field (when a lead first seen in a status entered
    it; a connector without it is not asked)."""

    def field_history(
        self, field_name: str, record_ids: Sequence[str]
    ) -> dict[str, list[tuple[str | None, datetime]]]:
        """Each known record's values of ``field_name``, newest first, with their times."""


@runtime_checkable
class SchemaCache(Protocol):
    """Optional: a connector that caches the CRM's field definitions (a describe, property
    definitions) for its whole life. A daemon that keeps a connector from run to run calls
    :meth:`forget_schema` now and then, so an admin's change to the fields is seen."""

    def forget_schema(self) -> None:
        """Drop the cached definitions: the next use reads them again (one call)."""


@runtime_checkable
class ExpiringSession(Protocol):
    """Optional: a connector whose logged-in session expires after a time without calls. A
    daemon that keeps the connector between runs closes it first when it sat idle that long,
    so the next run logs in up front instead of sending a call the CRM would refuse."""

    def session_lifetime(self) -> timedelta | None:
        """How long the current session lives without a call; None: no session, or none
        that expires (or none that could be renewed)."""
