"""The emulated org's data: Lead rows, lead statuses, the delete log and emulator-only notes.

Rows hold values in their REST JSON form (datetimes as wire strings, dates as ``YYYY-MM-DD``,
numbers as floats). Every write takes the instant it happens at; modstamps only ever move
forward per record (:func:`values.next_stamp`). The seed scenario of each lead lives in a side
table, not in a Salesforce field.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from connectors.sandbox.salesforce.schema import CONVERTED_STATUS, LEAD_STATUSES
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


class LeadStore:
    """Lead rows by id, in creation order (which is also id order)."""

    def __init__(self) -> None:
        self.rows: dict[str, Row] = {}
        self.scenarios: dict[str, str] = {}
        self.deleted_log: dict[str, str] = {}  # id -> deletedDate wire string
        self.sequence = 0
        #: 15-character id -> (creation position, full id): id lookups without a scan
        self._index: dict[str, tuple[int, str]] = {}

    def new_id(self) -> str:
        """A fresh Lead id, greater than every id issued before."""
        self.sequence += 1
        return make_id("00Q", self.sequence)

    def add(self, row: Row, scenario: str) -> Row:
        """Store a new row (its ``Id`` already set) and remember its seed scenario."""
        self.rows[row["Id"]] = row
        self.scenarios[row["Id"]] = scenario
        self._index[row["Id"][:15]] = (len(self._index), row["Id"])
        return row

    def get(self, lead_id: str) -> Row | None:
        """The row with this 15- or 18-character id, or None."""
        row = self.rows.get(lead_id)
        if row is None and len(lead_id) == 15 and lead_id in self._index:
            row = self.rows[self._index[lead_id][1]]
        return row

    def by_ids(self, ids: Iterable[str], include_deleted: bool) -> list[Row]:
        """The rows whose 15-character id is in ``ids``, in creation order (unknown ids are
        skipped; deleted rows only with ``include_deleted``)."""
        found = sorted(self._index[key] for key in ids if key in self._index)
        rows = [self.rows[full] for _, full in found]
        return rows if include_deleted else [row for row in rows if not row["IsDeleted"]]

    def require(self, lead_id: str) -> Row:
        """The row with this id; KeyError naming the id when there is none."""
        row = self.get(lead_id)
        if row is None:
            raise KeyError(f"no lead with id {lead_id!r}")
        return row

    def live(self) -> Iterator[Row]:
        """Rows not in the recycle bin (what ``query`` sees)."""
        return (row for row in self.rows.values() if not row["IsDeleted"])

    def all(self) -> Iterator[Row]:
        """Every row, deleted ones included (what ``queryAll`` sees)."""
        return iter(self.rows.values())

    def touch(self, row: Row, at: datetime, by_user: bool = True) -> None:
        """Bump SystemModstamp (and LastModifiedDate for user edits), strictly forward."""
        stamp = next_stamp(at, row["SystemModstamp"])
        row["SystemModstamp"] = stamp
        if by_user:
            row["LastModifiedDate"] = stamp

    def update(self, row: Row, changes: dict[str, Any], at: datetime) -> None:
        """Apply already-validated ``changes``; the stamps move even if nothing changed."""
        row.update(changes)
        self.touch(row, at)

    def convert(self, lead_id: str, at: datetime, contact_id: str) -> Row:
        """Convert a lead: IsConverted, ConvertedDate, the converted status."""
        row = self.require(lead_id)
        row.update(
            IsConverted=True,
            ConvertedDate=day(at),
            Status=CONVERTED_STATUS,
            ConvertedContactId=contact_id,
        )
        self.touch(row, at)
        return row

    def delete(self, lead_id: str, at: datetime) -> Row:
        """Move a lead to the recycle bin (IsDeleted) and log it for getDeleted."""
        row = self.require(lead_id)
        row["IsDeleted"] = True
        self.touch(row, at)
        self.deleted_log[row["Id"]] = row["SystemModstamp"]
        return row

    def merge(self, master_id: str, loser_id: str, at: datetime) -> Row:
        """Merge ``loser`` into ``master``: the loser is deleted with MasterRecordId set."""
        master = self.require(master_id)
        loser = self.require(loser_id)
        if master is loser or master["IsDeleted"] or loser["IsDeleted"]:
            raise ValueError(f"cannot merge {loser_id!r} into {master_id!r}")
        loser["MasterRecordId"] = master["Id"]
        self.delete(loser["Id"], at)
        self.touch(master, at)
        return master

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready snapshot (see :meth:`from_json`)."""
        return {
            "rows": list(self.rows.values()),
            "scenarios": self.scenarios,
            "deleted_log": self.deleted_log,
            "sequence": self.sequence,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LeadStore:
        """The store saved by :meth:`to_json`."""
        store = cls()
        store.rows = {row["Id"]: row for row in data["rows"]}
        store._index = {key[:15]: (position, key) for position, key in enumerate(store.rows)}
        store.scenarios = dict(data["scenarios"])
        store.deleted_log = dict(data["deleted_log"])
        store.sequence = int(data["sequence"])
        return store
