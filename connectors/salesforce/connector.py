"""SalesforceConnector: the :class:`connectors.base.Connector` for Salesforce Leads.

Every request runs under the one retry policy (:func:`connectors.http.call` with
:func:`~connectors.salesforce.errors.classify`), is counted in :attr:`usage` (by operation,
library-internal re-logins included) and is refused up front once the configured share of the
org's daily allowance is spent. Nothing touches the network before the first real use.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceExpiredSession

from connectors import http
from connectors.base import (
    ApiUsage,
    AuthError,
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
from connectors.salesforce import bulk, streams, tasks, writer
from connectors.salesforce.client import (
    LOGIN_PATHS,
    SalesforceConnection,
    build_client,
    build_session,
)
from connectors.salesforce.errors import classify
from connectors.salesforce.fields import field_info as describe_field
from connectors.salesforce.identity import UserWatch
from connectors.salesforce.reread import shared_read
from connectors.shapes import Shape, require

T = TypeVar("T")
#: the describe keys we read: ``fields`` of a DescribeSObjectResult
#: (https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_describesobjects.htm)
DESCRIBE: Shape = {"fields": list}


class SalesforceConnector:
    """Reads and writes Leads of one org. See :class:`connectors.base.Connector`.

    ``fields``: Lead field API names from the mapping (system fields are always read).
    ``bulk_threshold``: a full read (``pull_all``, a first ``pull``) goes through Bulk API 2.0
    above this many Leads.
    ``api_budget_share``: the share of the org's daily API allowance this connector may use.
    ``query_batch_size``: ask for this many records per REST page (200..2000).
    """

    kind = "salesforce"
    modstamp_field = "SystemModstamp"

    def __init__(
        self,
        conn: SalesforceConnection,
        *,
        fields: Sequence[str],
        bulk_threshold: int = 20_000,
        api_budget_share: float = 1.0,
        retry: http.RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        query_batch_size: int | None = None,
        spec: streams.StreamSpec | None = None,
    ) -> None:
        self.conn = conn
        #: the object read, its keys and fields (the mapping's declaration; Lead by default)
        self.spec = spec or streams.lead_stream(fields)
        self.bulk_threshold = bulk_threshold
        self.retry = retry
        self.sleep = sleep
        self.usage = ApiUsage(share=api_budget_share)
        self._headers = streams.query_options(query_batch_size)
        self._sf: Salesforce | None = None
        self._operation = "login"
        self._describe: dict[str, Any] | None = None
        self._user = UserWatch(LOGIN_PATHS)  # leadloop's API user, from the login answer

    # -- calls ---------------------------------------------------------------------------

    def _on_request(self, method: str, url: str) -> None:
        login = any(path in url for path in LOGIN_PATHS)
        self.usage.count("login" if login else self._operation)

    def _clock(self, response: Any, *_args: Any, **_kwargs: Any) -> Any:
        """Note the org's clock from an answer's Date header (see :class:`ApiUsage`)."""
        self.usage.observe_clock(response.headers.get("Date"))
        return response

    def _before_attempt(self, operation: str) -> None:
        self._operation = operation
        where = self.conn.login_where if operation == "login" else self.conn.where
        self.usage.check(operation, where)

    def _login(self) -> Salesforce:
        session = build_session(self.conn)
        session.on_request = self._on_request  # counts the login request(s) too
        session.hooks["response"].append(self._user)
        session.hooks["response"].append(self._clock)
        return http.call(
            lambda: build_client(self.conn, session),
            classify=classify,
            operation="login",
            policy=self.retry,
            sleep=self.sleep,
            on_attempt=lambda: self._before_attempt("login"),
            where=self.conn.login_where,
        )

    def _call(self, operation: str, fn: Callable[[Salesforce], T], once: bool) -> T:
        sf = self._sf
        assert sf is not None
        result = http.call(
            lambda: fn(sf),
            classify=classify,
            operation=operation,
            policy=http.ONCE if once else self.retry,
            sleep=self.sleep,
            on_attempt=lambda: self._before_attempt(operation),
            where=self.conn.where,
        )
        usage = sf.api_usage.get("api-usage")
        if usage is not None:
            self.usage.report(usage.used, usage.total)
        return result

    def _api(self, operation: str, fn: Callable[[Salesforce], T], once: bool = False) -> T:
        """Run ``fn(client)`` on a logged-in client (logging in on first use); ``once``: send
        it once, a transient failure raises (the caller retries a whole sequence of calls)."""
        if self._sf is None:
            self._sf = self._login()
        # No /limits call: every REST answer carries Sforce-Limit-Info, so the budget share is
        # enforced from the first answer on and a no-change sync costs just login + one query.
        return self._guarded(operation, fn, once)

    def _api_once(self, operation: str, fn: Callable[[Salesforce], T]) -> T:
        return self._api(operation, fn, once=True)

    def _retried(self, operation: str, attempt: Callable[[], T]) -> T:
        """``attempt()`` (calls made with :meth:`_api_once`) retried as a whole."""
        return http.call(
            attempt,
            classify=classify,
            operation=operation,
            policy=self.retry,
            sleep=self.sleep,
            where=self.conn.where,
        )

    def _guarded(self, operation: str, fn: Callable[[Salesforce], T], once: bool) -> T:
        """:meth:`_call`; on an expired session log in again once, then AuthError."""
        try:
            return self._call(operation, fn, once)
        except SalesforceExpiredSession:
            if not self.conn.can_relogin:
                raise AuthError(
                    f"{self.conn.where}: {operation} failed: session expired or invalid "
                    "(INVALID_SESSION_ID); session-id auth cannot log in again"
                ) from None
        self.close()
        self._sf = self._login()
        try:
            return self._call(operation, fn, once)
        except SalesforceExpiredSession:
            raise AuthError(
                f"{self.conn.where}: {operation} failed: session still invalid right after "
                "logging in again (INVALID_SESSION_ID)"
            ) from None

    # -- Connector -------------------------------------------------------------------------

    def describe(self) -> dict[str, Any]:
        """The Lead describe (cached until :meth:`forget_schema`)."""
        if self._describe is None:
            name = self.spec.object_name
            self._describe = self._api(
                "describe", lambda sf: require(getattr(sf, name).describe(), DESCRIBE)
            )
        return self._describe

    def session_lifetime(self) -> timedelta | None:
        """How long the org keeps the current session without a call (see
        :class:`connectors.base.ExpiringSession`): what the login answer said, else the
        org default of 2 hours; None without a session or when it cannot be renewed."""
        if self._sf is None or not self.conn.can_relogin:
            return None
        return self._user.session_lifetime()

    def forget_schema(self) -> None:
        """Drop the cached describe (see :class:`connectors.base.SchemaCache`); the session
        stays."""
        self._describe = None

    def _fields(self) -> dict[str, dict[str, Any]]:
        return {f["name"]: f for f in self.describe()["fields"]}

    def check(self) -> None:
        """Log in, read the allowance, and verify every mapped field exists on Lead."""
        known = self._fields()
        missing = [name for name in self.spec.select_fields if name not in known]
        if missing:
            raise SchemaError(
                f"Salesforce object {self.spec.object_name} has no field(s) "
                f"{', '.join(missing)} (named in the mapping)"
            )

    def field_options(self, field_name: str) -> frozenset[str] | None:
        """Active values of a restricted picklist; None when the field takes any value."""
        item = self._fields().get(field_name)
        if item is None:
            raise SchemaError(
                f"Salesforce object {self.spec.object_name} has no field {field_name}"
            )
        if item.get("type") not in ("picklist", "multipicklist") or not item.get(
            "restrictedPicklist"
        ):
            return None
        return frozenset(v["value"] for v in item.get("picklistValues", []) if v.get("active"))

    def field_info(self, field_name: str) -> FieldInfo | None:
        """The Lead field's type, length and picklist values (from the cached describe)."""
        item = self._fields().get(field_name)
        return None if item is None else describe_field(item)

    def pull(
        self, window: Window, after: Cursor | None = None, deletions: Deletions | None = None
    ) -> Iterator[Page]:
        """Leads with SystemModstamp in ``window``, deleted/merged included, after ``after``.

        ``deletions`` is ignored: the query runs as queryAll, which "returns records that are
        soft deleted due to a merge or delete", so the leads deleted in the window come in the
        same answer at no extra call:
        https://developer.salesforce.com/docs/platform/api-rest/guide/resources-queryall.html

        A window without a start (a first sync) reads everything up to its end, through Bulk
        API 2.0 above ``bulk_threshold`` Leads like :meth:`pull_all`.
        """
        if window.start is None and after is None:
            yield from self._everything(streams.incremental_soql(self.spec, window), window.end)
            return
        soql = streams.incremental_soql(self.spec, window, after)
        yield from streams.pull_pages(self._api, self.spec, soql, after, headers=self._headers)

    def pull_all(self) -> Iterator[Page]:
        """Every Lead: Bulk 2.0 above ``bulk_threshold`` records (pages without cursor),
        else REST ordered by (SystemModstamp, Id) with cursors."""
        return self._everything(streams.full_soql(self.spec), None)

    def _everything(self, rest_soql: str, end: datetime | None) -> Iterator[Page]:
        """Every Lead stamped before ``end`` (all when None): REST pages of ``rest_soql``, or
        above ``bulk_threshold`` one Bulk 2.0 job (50,000 records a call, not 2,000). A COUNT()
        decides: cheap, where an ordered first page of a large org sorts every record first."""
        total = int(self._api("count", streams.count_all(self.spec))["totalSize"])
        if total <= self.bulk_threshold:
            yield from streams.pull_pages(self._api, self.spec, rest_soql, headers=self._headers)
            return
        soql = streams.bulk_soql(self.spec, end)
        yield from bulk.bulk_pages(self._api, self.spec, soql, self.describe(), self.sleep, total)

    def pull_ids(self, record_ids: Sequence[str]) -> Iterator[Page]:
        """The given Leads, 200 ids per query; unknown ids are absent."""
        unique = list(dict.fromkeys(record_ids))
        for chunk in chunks(unique, streams.IDS_PER_QUERY):
            soql = streams.ids_soql(self.spec, chunk)
            yield from streams.pull_pages(
                self._api, self.spec, soql, track_cursor=False, headers=self._headers
            )

    def write(self, corrections: Sequence[Correction]) -> list[WriteOutcome]:
        """Conflict-checked Collections writes, and review flags as Tasks for the lead's
        owner (:mod:`.tasks`); one outcome per correction, in order."""
        if not corrections:
            return []
        types = {name: str(item.get("type")) for name, item in self._fields().items()}
        target = writer.Target(self.spec.object_name, types, self._user.user_id)
        fields, flags = split_tasks(corrections)
        shared = shared_read(fields, flags, tasks.LEAD_FIELDS)
        written = writer.write(self._api_once, self._retried, target, fields, shared)
        outcomes = {o.key: o for o in written}
        if flags:
            read = shared.after(fields, written, types) if shared else None
            outcomes.update(tasks.write_tasks(self._api_once, self._retried, target, flags, read))
        return [outcomes[c.key] for c in corrections]

    def close(self) -> None:
        """Drop the session (the next use logs in again)."""
        if self._sf is not None:
            self._sf.session.close()
            self._sf = None
