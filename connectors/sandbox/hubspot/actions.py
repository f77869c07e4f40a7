"""What happens in the portal outside the API: people's edits, merges, archives, bulk loads.

Tests, benchmarks and the control API (:mod:`.control`) call these on the emulator. A person's
edit is recorded in the property history as ``CRM_UI`` with their user id (the contact owner's,
unless another user is named), unlike the API's writes (:mod:`.records`).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from connectors.sandbox.hubspot.control import control_action
from connectors.sandbox.hubspot.defaults import ADMIN_USER, OWNER_USERS
from connectors.sandbox.hubspot.records import Source
from connectors.sandbox.hubspot.seed import add_bulk, merge_records
from connectors.sandbox.hubspot.state import load_state, save_state
from connectors.sandbox.hubspot.store import ObjectStore, Record
from connectors.sandbox.server import Request, Response

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from connectors.sandbox.hubspot.app import HubSpotEmulator


class EmulatorActions:
    """Mixed into :class:`~connectors.sandbox.hubspot.app.HubSpotEmulator`."""

    lock: threading.RLock
    contacts: ObjectStore
    tasks: ObjectStore
    scenarios: dict[int, str]
    seed: int

    def clock_ms(self) -> int:
        raise NotImplementedError

    def human_edit(
        self, contact_id: str | int, properties: dict[str, str], user_id: int | None = None
    ) -> dict[str, Any]:
        """A person edits a contact in the HubSpot UI (values checked, lastmodifieddate bumped)."""
        with self.lock:
            record = self._contact(contact_id)
            clean, problems = self.contacts.registry.check(properties)
            if problems:
                raise ValueError(f"contact {contact_id}: {problems[0]['message']}")
            owner = record.properties.get("hubspot_owner_id") or ""
            who = Source.user(user_id or OWNER_USERS.get(owner, ADMIN_USER))
            self.contacts.write(record, clean, self.clock_ms(), source=who)
            return record.to_json(None)

    def archive(self, contact_id: str | int) -> None:
        """Archive (soft-delete) a contact."""
        with self.lock:
            self.contacts.archive(self._contact(contact_id), self.clock_ms())

    def merge(self, primary: str | int, secondary: str | int) -> None:
        """Merge ``secondary`` into ``primary`` (secondary archived, hs_merged_object_ids)."""
        if str(primary) == str(secondary):
            raise ValueError(f"cannot merge contact {primary} into itself")
        with self.lock:
            self.merge_into(self.contacts, self._contact(primary), self._contact(secondary))

    def merge_into(self, store: ObjectStore, primary: Record, secondary: Record) -> None:
        """Merge two records of ``store`` (the caller holds the lock)."""
        merge_records(store, primary, secondary, self.clock_ms())

    def add_contacts(self, count: int) -> list[str]:
        """Append ``count`` plain contacts quickly (benchmarks); returns their ids."""
        with self.lock:
            added = add_bulk(self.contacts, count, self.seed)
            self.scenarios.update(added)
            return [str(i) for i in added]

    def scenario_of(self, contact_id: str | int) -> str | None:
        """The seed scenario behind a contact (emulator-only knowledge), None if not seeded."""
        return self.scenarios.get(int(contact_id))

    def contact(self, contact_id: str | int) -> dict[str, Any]:
        """A contact's raw stored form (all properties, archived ones too)."""
        return self._contact(contact_id, any_state=True).to_json(None)

    def _contact(self, contact_id: str | int, any_state: bool = False) -> Record:
        record = self.contacts.records.get(int(contact_id))
        if record is None or (record.archived and not any_state):
            raise KeyError(f"no live contact {contact_id}")
        return record

    def control_extra(self, action: str, request: Request) -> Response:
        """HubSpot control actions (:mod:`.control`), else the base ones."""
        answer = control_action(self, action, request)  # type: ignore[arg-type]
        if answer is not None:
            return answer
        return Response.json({"error": f"unknown control action {action!r}"}, 404)

    def save(self, path: Path | str) -> None:
        """Write the whole emulator state as JSON."""
        with self.lock:
            save_state(self, Path(path))  # type: ignore[arg-type]

    @classmethod
    def load(cls, path: Path | str, now: Callable[[], datetime] | None = None) -> HubSpotEmulator:
        """An emulator restored from :meth:`save` output."""
        # a mixin of HubSpotEmulator: ``cls`` is the emulator class itself
        return load_state(Path(path), now, cast("type[HubSpotEmulator]", cls))
