"""The pipeline's world in a test: a fake CRM, a migrated SQLite store, settings, a frozen clock.

No HTTP and no sandbox: the engine runs as in production, with the :class:`FakeConnector` in
the place of a CRM connector. Helpers read the store back so specs can state what happened.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from sync.config.settings import Settings, load_settings
from sync.pipeline.engine import Engine, SourceReport, SyncRequest
from sync.pipeline.sources import Source
from sync.store.models import FindingRow, LeadRow, OutboxItem, Run, SyncCursor
from tests.builders import FrozenClock
from tests.fakes.connector import FakeConnector
from tests.fakes.crm import FakeCrm
from tests.fakes.records import lead_values
from tests.org_mappings import map_salesforce_flag_field

SOURCE = "salesforce"
#: how long after the test's last step a sync starts (as the next scheduled run would)
CYCLE_GAP = timedelta(minutes=1)

CONFIG = """\
store:
  url: sqlite:///{db}
sources:
  salesforce:
    type: salesforce
    connection:
      # never contacted: the tests hand the engine a FakeConnector
      instance_url: http://127.0.0.1:9
      login_url: http://127.0.0.1:9
      auth: {{method: password, username: tests@example.com, password: "${{SF_PASSWORD}}"}}
    mapping: salesforce_lead
    pull: {{lookback: 5m}}
    write_back: {{batch_size: 200}}
limits:
  change_budget: {{max_records: 1000, max_percent: 100}}
"""


def write_config(directory: Path) -> Path:
    """The pipeline tests' config file (one Salesforce source, a SQLite store)."""
    path = directory / "leadloop.yaml"
    path.write_text(CONFIG.format(db=directory / "leadloop.db"), encoding="utf-8")
    # the fake CRM keeps fields, not tasks: flags go into the lead's Leadloop_Review__c
    map_salesforce_flag_field(path)
    return path


def settings_for(directory: Path, password: str = "not-a-secret") -> Settings:
    return load_settings(write_config(directory), env={"SF_PASSWORD": password})


@dataclass
class World:
    crm: FakeCrm
    clock: FrozenClock
    settings: Settings
    sessions: sessionmaker[Session]
    page_size: int = 200
    connectors: list[FakeConnector] = field(default_factory=list)

    # -- the CRM --------------------------------------------------------------------------

    def lead(self, status: str | None = "Working - Contacted", **fields: Any) -> str:
        """A Salesforce lead created in the CRM now (see :func:`lead_values`), with an email
        of its own unless ``Email`` is given (leads sharing one are duplicates)."""
        return self.crm.add(self._values(status, fields))

    def lead_modified_at(
        self, modified: datetime, status: str = "Working - Contacted", **fields: Any
    ) -> str:
        """A Salesforce lead last modified at ``modified`` (before leadloop first sees it).

        The org has no status-changed date: leadloop counts the time in a status from what
        it sees, so a lead first seen in its status is in it since this stamp at the latest.
        """
        return self.crm.add(self._values(status, fields), modstamp=modified)

    def _values(self, status: str | None, fields: dict[str, Any]) -> dict[str, Any]:
        fields.setdefault("Email", f"lead{len(self.crm.records) + 1}@example.com")
        return lead_values(status, **fields)  # type: ignore[arg-type]

    def field(self, record_id: str, name: str) -> Any:
        return self.crm.raw(record_id)[name]

    # -- leadloop -------------------------------------------------------------------------

    def source(
        self, connector: FakeConnector | None = None, batch_size: int | None = None
    ) -> Source:
        """The configured source with a fresh fake connector (kept in ``connectors``);
        ``batch_size`` overrides the source's ``write_back.batch_size``."""
        connector = connector or FakeConnector(self.crm, page_size=self.page_size)
        self.connectors.append(connector)
        config = self.settings.sources[SOURCE]
        if batch_size is not None:
            write_back = config.write_back.model_copy(update={"batch_size": batch_size})
            config = config.model_copy(update={"write_back": write_back})
        return Source(SOURCE, config, self.settings.mapping(SOURCE), connector)

    def engine(self) -> Engine:
        return Engine(self.settings, self.sessions, self.clock)

    def sync(self, source: Source | None = None, **request: Any) -> SourceReport:
        """One cycle, :data:`CYCLE_GAP` after the test's last step (``request``: SyncRequest)."""
        self.clock.advance(CYCLE_GAP)
        return self.engine().sync(source or self.source(), SyncRequest(**request))

    def with_settings(self, **sections: Any) -> None:
        """Replace top-level config sections (``limits=...``, ``policies=...``)."""
        self.settings = self.settings.model_copy(update=sections)

    # -- the store ------------------------------------------------------------------------

    def outbox(self, record_id: str | None = None) -> list[OutboxItem]:
        query = select(OutboxItem).order_by(OutboxItem.id)
        if record_id is not None:
            query = query.where(OutboxItem.external_id == record_id)
        return self._all(query)

    def findings(self, record_id: str, policy: str | None = None) -> list[FindingRow]:
        query = (
            select(FindingRow)
            .join(LeadRow, LeadRow.id == FindingRow.lead_id)
            .where(LeadRow.external_id == record_id)
            .order_by(FindingRow.id)
        )
        if policy is not None:
            query = query.where(FindingRow.policy == policy)
        return self._all(query)

    def leads(self) -> list[LeadRow]:
        return self._all(select(LeadRow).order_by(LeadRow.id))

    def stored_ids(self) -> set[str]:
        return {row.external_id for row in self.leads()}

    def runs(self) -> list[Run]:
        return self._all(select(Run).order_by(Run.id))

    def cursor(self) -> SyncCursor | None:
        with self.sessions() as session:
            return session.get(SyncCursor, (SOURCE, "leads"))

    def _all(self, query: Any) -> list[Any]:
        with self.sessions() as session:
            return list(session.scalars(query))


def ids_in_order(crm: FakeCrm, ids: Sequence[str]) -> list[str]:
    """``ids`` in the order a pull reads them: ascending (modstamp, id)."""
    return sorted(ids, key=lambda i: (crm.records[i].modstamp, i))


def stamps(crm: FakeCrm, ids: Sequence[str]) -> list[datetime]:
    return [crm.records[i].modstamp for i in ids]
