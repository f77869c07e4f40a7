"""The emulated org's data: Lead and Task rows, lead statuses, the delete log, emulator notes.

Rows hold values in their REST JSON form (datetimes as wire strings, dates as ``YYYY-MM-DD``,
numbers as floats). Every write takes the instant it happens at and the user who makes it;
modstamps never move backwards per record (:func:`values.next_stamp`) and, as in a real org,
have whole-second precision unless that quirk is off. The seed scenario of each lead lives in
a side table, not in a Salesforce field.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from connectors.sandbox.salesforce.schema import (
    CLOSED_TASK_STATUSES,
    CONVERTED_STATUS,
    LEAD_STATUSES,
)
from connectors.sandbox.salesforce.values import day, make_id, next_stamp

Row = dict[str, Any]


def lead_status_rows() -> list[Row]:
    """The LeadStatus records of the org (``SELECT ... FROM LeadStatus``)."""
    return [
        {
            "Id": make_id("01J", index + 1),
            "ApiName": value,
            "MasterLabel": value,
            "IsConverted": converted,
            "IsDefault": default,
            "SortOrder": index + 1,
        }
        for index, (value, converted, default) in enumerate(LEAD_STATUSES)
    ]


class RecordStore:
    """The rows of one sObject by id, in creation order (which is also id order)."""

    def __init__(self, prefix: str, whole_seconds: bool = True) -> None:
        self.prefix = prefix
        self.whole_seconds = whole_seconds
        self.rows: dict[str, Row] = {}
        self.sequence = 0
        #: 15-character id -> (creation position, full id): id lookups without a scan
        self._index: dict[str, tuple[int, str]] = {}

    def new_id(self) -> str:
        """A fresh id, greater than every id issued before."""
        self.sequence += 1
        return make_id(self.prefix, self.sequence)

    def add(self, row: Row) -> Row:
        """Store a new row (its ``Id`` already set)."""
        self.derive(row)
        self.rows[row["Id"]] = row
        self._index[row["Id"][:15]] = (len(self._index), row["Id"])
        return row

    def get(self, record_id: str) -> Row | None:
        """The row with this 15- or 18-character id, or None."""
        row = self.rows.get(record_id)
        if row is None and len(record_id) == 15 and record_id in self._index:
            row = self.rows[self._index[record_id][1]]
        return row

    def by_ids(self, ids: Iterable[str], include_deleted: bool) -> list[Row]:
        """The rows whose 15-character id is in ``ids``, in creation order (unknown ids are
        skipped; deleted rows only with ``include_deleted``)."""
        found = sorted(self._index[key] for key in ids if key in self._index)
        rows = [self.rows[full] for _, full in found]
        return rows if include_deleted else [row for row in rows if not row["IsDeleted"]]

    def require(self, record_id: str) -> Row:
        """The row with this id; KeyError naming the id when there is none."""
        row = self.get(record_id)
        if row is None:
            raise KeyError(f"no record with id {record_id!r}")
        return row

    def live(self) -> Iterator[Row]:
        """Rows not in the recycle bin (what ``query`` sees)."""
        return (row for row in self.rows.values() if not row["IsDeleted"])

    def all(self) -> Iterator[Row]:
        """Every row, deleted ones included (what ``queryAll`` sees)."""
        return iter(self.rows.values())

    def derive(self, row: Row) -> None:
        """Recompute the fields the org derives from others (none by default)."""

    def touch(self, row: Row, at: datetime, by: str) -> None:
        """Stamp a save at ``at`` by user ``by``: SystemModstamp, LastModifiedDate and
        LastModifiedById all move (the whole-second stamp may stay the same)."""
        stamp = next_stamp(at, row["SystemModstamp"], self.whole_seconds)
        row["SystemModstamp"] = row["LastModifiedDate"] = stamp
        row["LastModifiedById"] = by

    def update(self, row: Row, changes: dict[str, Any], at: datetime, by: str) -> None:
        """Apply already-validated ``changes``; the stamps move even if nothing changed."""
        row.update(changes)
        self.derive(row)
        self.touch(row, at, by)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready snapshot (see :meth:`load_json`)."""
        return {"rows": list(self.rows.values()), "sequence": self.sequence}

    def load_json(self, data: dict[str, Any]) -> None:
        """Replace the rows with the snapshot :meth:`to_json` made."""
        self.rows = {row["Id"]: row for row in data["rows"]}
        self._index = {key[:15]: (position, key) for position, key in enumerate(self.rows)}
        self.sequence = int(data["sequence"])


class TaskStore(RecordStore):
    """Task rows; ``IsClosed`` follows the status (TaskStatus.IsClosed)."""

    def __init__(self, whole_seconds: bool = True) -> None:
        super().__init__("00T", whole_seconds)

    def derive(self, row: Row) -> None:
        row["IsClosed"] = row.get("Status") in CLOSED_TASK_STATUSES


class LeadStore(RecordStore):
    """Lead rows, their seed scenarios and the delete log that getDeleted reads."""

    def __init__(self, whole_seconds: bool = True) -> None:
        super().__init__("00Q", whole_seconds)
        self.scenarios: dict[str, str] = {}
        self.deleted_log: dict[str, str] = {}  # id -> deletedDate wire string

    def add_seeded(self, row: Row, scenario: str) -> Row:
        """Store a new row and remember its seed scenario."""
        self.scenarios[row["Id"]] = scenario
        return self.add(row)

    def derive(self, row: Row) -> None:
        # Name is the compound of the name fields (Salutation is not part of it).
        parts = (row.get("FirstName"), row.get("LastName"))
        row["Name"] = " ".join(part for part in parts if part)

    def convert(self, lead_id: str, at: datetime, contact_id: str, by: str) -> Row:
        """Convert a lead: IsConverted, ConvertedDate, the converted status."""
        row = self.require(lead_id)
        row.update(
            IsConverted=True,
            ConvertedDate=day(at),
            Status=CONVERTED_STATUS,
            ConvertedContactId=contact_id,
        )
        self.touch(row, at, by)
        return row

    def delete(self, lead_id: str, at: datetime, by: str) -> Row:
        """Move a lead to the recycle bin (IsDeleted) and log it for getDeleted."""
        row = self.require(lead_id)
        row["IsDeleted"] = True
        self.touch(row, at, by)
        self.deleted_log[row["Id"]] = row["SystemModstamp"]
        return row

    def merge(self, master_id: str, loser_id: str, at: datetime, by: str) -> Row:
        """Merge ``loser`` into ``master``: the loser is deleted with MasterRecordId set."""
        master = self.require(master_id)
        loser = self.require(loser_id)
        if master is loser or master["IsDeleted"] or loser["IsDeleted"]:
            raise ValueError(f"cannot merge {loser_id!r} into {master_id!r}")
        loser["MasterRecordId"] = master["Id"]
        self.delete(loser["Id"], at, by)
        self.touch(master, at, by)
        return master

    def to_json(self) -> dict[str, Any]:
        return {**super().to_json(), "scenarios": self.scenarios, "deleted_log": self.deleted_log}

    def load_json(self, data: dict[str, Any]) -> None:
        super().load_json(data)
        self.scenarios = dict(data["scenarios"])
        self.deleted_log = dict(data["deleted_log"])
