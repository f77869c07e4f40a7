"""The re-read before a write: the records as they are now, in one query per 200.

Every write attempt reads ``Id, SystemModstamp, LastModifiedById, IsDeleted`` and the fields it
changes or was decided on, and decides per record from that (:mod:`.writer`, :mod:`.tasks`).
A batch that writes fields and review tasks for the same leads reads them once
(:class:`Shared`): the task step decides on the field write's read with leadloop's own writes
applied, instead of a second query for the same leads a moment later. That read carries the
task step's extra columns, its parent-to-child subquery of the leads' open tasks included.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from simple_salesforce.format import format_soql

from connectors.base import Correction, OutcomeStatus, WriteOutcome
from connectors.salesforce.fields import typed_changes
from connectors.salesforce.streams import Api, query_pages

FIELD_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
Rows = dict[str, Mapping[str, Any]]
IDS_PER_READ = 200  # a write batch's records (sObject Collections take 200)


@dataclass
class Shared:
    """A re-read the field write shares with the task step after it: the flag corrections
    whose leads and evaluated fields it reads too, the extra fields they need, and the rows
    the field write's latest attempt read (one query for both steps instead of two)."""

    also: Sequence[Correction]
    extra: Sequence[str]
    rows: Rows | None = None

    def after(
        self,
        fields: Sequence[Correction],
        outcomes: Sequence[WriteOutcome],
        types: Mapping[str, str],
    ) -> Rows | None:
        """The rows as they read once the field write's SENT corrections landed, their values
        typed per ``types`` (the describe's) as a fresh read would return them; None when the
        field write read nothing (it did not get that far)."""
        if self.rows is None:
            return None
        rows = dict(self.rows)
        for correction, outcome in zip(fields, outcomes, strict=True):
            found = rows.get(correction.record_id)
            if found is not None and outcome.status is OutcomeStatus.SENT:
                rows[correction.record_id] = {**found, **typed_changes(correction, types)}
        return rows


def shared_read(
    fields: Sequence[Correction], flags: Sequence[Correction], extra: Sequence[str]
) -> Shared | None:
    """One re-read for a batch's field write and its review tasks (``extra``: the fields the
    tasks need), when both are there and their leads fit one write batch."""
    leads = {c.record_id for c in (*fields, *flags)}
    if not fields or not flags or len(leads) > IDS_PER_READ:
        return None
    return Shared(flags, extra)


#: the system fields every re-read selects
REREAD_FIELDS = ("Id", "SystemModstamp", "LastModifiedById", "IsDeleted")


def reread_soql(object_name: str, batch: Sequence[Correction], extra: Sequence[str] = ()) -> str:
    """``SELECT Id, SystemModstamp, LastModifiedById, IsDeleted, <extra>, <changed and
    evaluated fields> ... WHERE Id IN (...)``; ``extra`` is leadloop's own constant SOQL
    (field names, or a subquery such as :data:`.tasks.OPEN_TASK`)."""
    names = {name for c in batch for name in (*c.changes, *c.expected)}
    changed = sorted(name for name in names if FIELD_NAME.match(name))
    select = ", ".join(dict.fromkeys([*REREAD_FIELDS, *extra, *changed]))
    # Names are checked identifiers; the ids go through format_soql.
    template = f"SELECT {select} FROM {object_name} WHERE Id IN {{ids}}"  # noqa: S608
    return format_soql(template, ids=sorted({c.record_id for c in batch}))


def reread(
    api: Api[Any], object_name: str, batch: Sequence[Correction], extra: Sequence[str] = ()
) -> Rows:
    """The batch's records as they are now, by id (one query; absent: not found)."""
    soql = reread_soql(object_name, batch, extra)
    return {str(row["Id"]): row for p in query_pages(api, soql, "reread") for row in p["records"]}
