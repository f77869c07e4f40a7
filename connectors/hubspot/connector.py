"""The HubSpot contacts connector: :class:`connectors.base.Connector` over hubspot-api-client."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from hubspot.crm.contacts import (
    PublicObjectSearchRequest,
)

from connectors.base import (
    ApiUsage,
    Correction,
    Cursor,
    Deletions,
    FieldInfo,
    Page,
    SchemaError,
    Window,
    WriteOutcome,
)
from connectors.batching import chunks, split_tasks
from connectors.http import RetryPolicy
from connectors.hubspot.client import CONTACTS_BATCH, HubSpotApi, HubSpotConnection
from connectors.hubspot.pacing import TokenBucket, search_bucket
from connectors.hubspot.properties import PropertyCatalog
from connectors.hubspot.search import MODSTAMP
from connectors.hubspot.streams import (
    BASE_PROPERTIES,
    BATCH_READ_LIMIT,
    HISTORY_READ_LIMIT,
    LIST_LIMIT,
    LIST_SHAPE,
    SEARCH_SHAPE,
    Contact,
    archived_in,
    complete_search_page,
    contacts_of,
    histories_of,
    merged_pages,
    next_after,
    search_hits,
    to_source_records,
    window_plan,
)
from connectors.hubspot.tasks import TaskWriter, utc_now
from connectors.hubspot.writer import ContactWriter


class HubSpotConnector:
    """Contacts of one HubSpot account.

    ``properties``: the contact properties the mapping reads (``lastmodifieddate``,
    ``hs_object_id`` and ``hs_merged_object_ids`` are always added). ``api_budget_share``: the
    fraction of the account's daily allowance this source may spend. ``max_offset``: how far
    search ``after`` offsets are followed before restarting from the last timestamp (0: every
    page is a fresh keyset query; see :mod:`connectors.hubspot.search`). ``search_pacer``:
    the token bucket every search attempt waits for (:mod:`.pacing`; tests pass one on their
    frozen clock). ``clock`` dates the tasks of the task flag channel (the real clock unless a
    test gives one).
    """

    kind = "hubspot"
    modstamp_field = MODSTAMP

    def __init__(
        self,
        conn: HubSpotConnection,
        *,
        properties: Sequence[str],
        api_budget_share: float = 1.0,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        max_offset: int = 0,
        page_size: int = 200,
        search_pacer: TokenBucket | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.conn = conn
        self.usage = ApiUsage(share=api_budget_share)
        self.api = HubSpotApi(conn, self.usage, retry=retry, sleep=sleep)
        self.mapped = tuple(dict.fromkeys(properties))
        self.properties = tuple(dict.fromkeys((*BASE_PROPERTIES, *properties)))
        self.max_offset = max_offset
        self.page_size = page_size
        self.search_pacer = search_pacer or search_bucket()
        self.catalog = PropertyCatalog(self.api, create_missing_options=conn.create_missing_options)
        self.writer = ContactWriter(self.api, self.catalog)
        self._search_total: int | None = None
        self.tasks = TaskWriter(self.api, clock)

    # -- checks and metadata -----------------------------------------------------------
    def check(self) -> None:
        """Verify the token and that every mapped property exists (re-reads definitions)."""
        self.catalog.refresh()
        missing = self.catalog.missing(self.mapped)
        if missing:
            raise SchemaError(f"HubSpot contacts lack the mapped properties: {', '.join(missing)}")

    def field_options(self, field_name: str) -> frozenset[str] | None:
        """Option values of an enumeration property; None when any value is accepted."""
        return self.catalog.field_options(field_name)

    def field_info(self, field_name: str) -> FieldInfo | None:
        """The contact property's type and options (from the cached definitions)."""
        info = self.catalog.definitions().get(field_name)
        return None if info is None else info.field_info()

    def forget_schema(self) -> None:
        """Drop the cached property definitions (see :class:`connectors.base.SchemaCache`)."""
        self.catalog.forget()

    # -- reading -----------------------------------------------------------------------
    def pull(
        self, window: Window, after: Cursor | None = None, deletions: Deletions | None = None
    ) -> Iterator[Page]:
        """Contacts modified in ``window`` and contacts archived as ``deletions`` says (None:
        those archived in the window), ascending by (modstamp, numeric id), strictly after
        ``after``. The archived listing costs ``ceil(archived / 100)`` calls (:mod:`.streams`):
        ``NO_DELETIONS`` saves them."""
        if deletions is None:
            deletions = Deletions(since=window.start)
        return self._pull(window, after, deletions)

    def _pull(
        self, window: Window | None, after: Cursor | None, deletions: Deletions
    ) -> Iterator[Page]:
        archived = self._archived() if deletions.listed else []
        plan = window_plan(window, after, self.max_offset, self.page_size)
        batches = search_hits(plan, self._search, self.properties)
        listed = {obj.id for obj in archived}
        end = None if window is None else window.end
        deleted = archived_in(archived, deletions.since, end, after)
        self._search_total = None
        for page in merged_pages(batches, deleted, listed):
            # the first search's total counts the whole window (for progress bars only)
            yield replace(page, total=self._search_total)

    def pull_all(self) -> Iterator[Page]:
        """Every contact, archived ones included.

        Search (no date filter at all) rather than the list API: 200 contacts per call instead
        of 100, and search has its own rate limit (5/s) apart from the account's burst budget.
        Contacts edited during the run move behind the read position and are read again, never
        skipped; those the search index has not caught up with are read by the next pull.
        """
        return self._pull(None, None, Deletions())

    def pull_ids(self, record_ids: Sequence[str]) -> Iterator[Page]:
        """The given contacts (batch read, 100 per call); ids not live are looked up among
        archived contacts in one more call per batch. Unknown ids are absent."""
        unique = list(dict.fromkeys(str(i) for i in record_ids))
        for chunk in chunks(unique, BATCH_READ_LIMIT):
            found = self._batch_read(chunk, archived=False)
            rest = [i for i in chunk if i not in found]
            if rest:
                found.update(self._batch_read(rest, archived=True))
            records = [r for i in chunk if i in found for r in to_source_records(found[i])]
            if records:
                yield Page(records, None)

    def _search(self, body: dict[str, Any]) -> tuple[list[Contact], str | None]:
        request = PublicObjectSearchRequest(
            filter_groups=body["filterGroups"],
            sorts=body["sorts"],
            properties=body["properties"],
            limit=body["limit"],
            after=body.get("after"),
        )
        search_api = self.api.endpoint("crm.contacts.search_api")

        def paced(*args: Any, **kwargs: Any) -> Any:  # every attempt, retries included
            self.search_pacer.take()
            return search_api.do_search_with_http_info(*args, **kwargs)

        data, _ = self.api.call_json(
            "search",
            paced,
            request,
            shape=SEARCH_SHAPE,
            check=lambda answer: complete_search_page(answer, body.get("after")),
        )
        if self._search_total is None and isinstance(data, dict):
            total = data.get("total")
            self._search_total = total if isinstance(total, int) else None
        return contacts_of(data), next_after(data)

    def _archived(self) -> list[Contact]:
        """Every archived contact (one listing per pull; see :mod:`.streams`)."""
        basic_api = self.api.endpoint("crm.contacts.basic_api")
        found: list[Contact] = []
        after: str | None = None
        while True:
            data, _ = self.api.call_json(
                "contacts_list",
                basic_api.get_page_with_http_info,
                limit=LIST_LIMIT,
                after=after,
                properties=list(self.properties),
                archived=True,
                shape=LIST_SHAPE,
            )
            found += contacts_of(data)
            after = next_after(data)
            if after is None:
                return found

    def _batch_read(self, ids: Sequence[str], *, archived: bool) -> dict[str, Contact]:
        data = self.api.batch_read(
            "batch_read", CONTACTS_BATCH, ids, list(self.properties), archived=archived
        )
        return {c.id: c for c in contacts_of(data)}

    def field_history(
        self, field_name: str, record_ids: Sequence[str]
    ) -> dict[str, list[tuple[str | None, datetime]]]:
        """The history of one property of the given live contacts, newest first (batch read
        with ``propertiesWithHistory``, 50 per call); unknown and archived ids are absent."""
        found: dict[str, list[tuple[str | None, datetime]]] = {}
        for chunk in chunks(list(dict.fromkeys(record_ids)), HISTORY_READ_LIMIT):
            data = self.api.batch_read(
                "history_read", CONTACTS_BATCH, chunk, [MODSTAMP], history=[field_name]
            )
            found.update(histories_of(data, field_name))
        return found

    # -- writing -----------------------------------------------------------------------
    def write(self, corrections: Sequence[Correction]) -> list[WriteOutcome]:
        """Apply corrections, 100 per batch update, conflict-checked (see :mod:`.writer`),
        and review flags as tasks for the contact's owner (:mod:`.tasks`); in order."""
        fields, flags = split_tasks(corrections)
        outcomes = {o.key: o for o in self.writer.write(fields)} if fields else {}
        if flags:
            outcomes.update(self.tasks.write(flags))
        return [outcomes[c.key] for c in corrections]

    def close(self) -> None:
        """Release the connection pools of every generated API client built so far."""
        self.api.close()
