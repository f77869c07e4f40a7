"""HubSpot connection settings, building a hubspot-api-client, and metered calls.

Every request goes through :meth:`HubSpotApi.call`: the one retry policy
(:func:`connectors.http.call`) with :func:`connectors.hubspot.errors.classify`, a call counter
per operation, the daily allowance read from ``X-HubSpot-RateLimit-Daily[-Remaining]`` and the
configured share of it enforced *before* a call is sent.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

import hubspot
from hubspot.crm.contacts import BatchReadInputSimplePublicObjectId, SimplePublicObjectId

from connectors.base import ApiUsage
from connectors.http import ONCE, RetryPolicy, call
from connectors.hubspot.errors import classify, header
from connectors.hubspot.streams import BATCH_SHAPE
from connectors.shapes import Shape, parse_json, require

DEFAULT_BASE_URL = "https://api.hubapi.com"
#: the SDK's batch API for contacts (see :meth:`HubSpotApi.batch_read`)
CONTACTS_BATCH = "crm.contacts.batch_api"
T = TypeVar("T")


@dataclass(frozen=True)
class HubSpotConnection:
    """Where and how to reach one HubSpot account (private app access token).

    ``base_url`` is honoured exactly (scheme and port), so it may point at an
    ``http://127.0.0.1:PORT`` emulator or a proxy. ``timeout`` is in seconds, per HTTP request.
    ``create_missing_options``: add an enumeration option the CRM lacks before writing it.
    """

    access_token: str = field(repr=False)
    base_url: str = DEFAULT_BASE_URL
    ca_bundle: str | None = None
    timeout: float = 60.0
    create_missing_options: bool = False

    def __post_init__(self) -> None:
        if not urlsplit(self.base_url).netloc:
            raise ValueError(
                f"HubSpotConnection.base_url is not an absolute URL: {self.base_url!r}"
            )
        if not self.access_token:
            raise ValueError("HubSpotConnection.access_token is empty")
        if self.timeout <= 0:
            raise ValueError(f"HubSpotConnection.timeout must be positive, not {self.timeout}")


def build_client(conn: HubSpotConnection) -> hubspot.Client:
    """A client whose every generated API (and ``api_request``) talks to ``conn.base_url``.

    ``retry=False`` reaches urllib3 as ``retries=False``: urllib3 then never retries (by
    default it would silently retry connection errors, even for POSTs, and raise MaxRetryError
    instead of the real error), so :mod:`connectors.http` is the only retry policy.
    """
    base_url = conn.base_url.rstrip("/")
    options: dict[str, Any] = {
        "access_token": conn.access_token,
        "host": base_url,
        "base_url": base_url,
        "retry": False,
    }
    if conn.ca_bundle:
        options["ssl_ca_cert"] = conn.ca_bundle  # copied onto each generated Configuration
    return hubspot.Client.create(**options)


class HubSpotApi:
    """Metered access to a client: retries, call counts and the API budget share."""

    def __init__(
        self,
        conn: HubSpotConnection,
        usage: ApiUsage,
        *,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None],
    ) -> None:
        self.conn = conn
        self.usage = usage
        self.retry = retry
        self.sleep = sleep
        self.where = f"HubSpot at {urlsplit(conn.base_url).netloc}"
        self._client: hubspot.Client | None = None
        self._apis: dict[str, Any] = {}

    @property
    def client(self) -> hubspot.Client:
        """The hubspot-api-client, built on first use (no network until a call is made)."""
        if self._client is None:
            self._client = build_client(self.conn)
        return self._client

    def batch_read(
        self,
        operation: str,
        api_path: str,
        ids: Sequence[str],
        properties: Sequence[str],
        *,
        history: Sequence[str] = (),
        archived: bool = False,
        once: bool = False,
    ) -> dict[str, Any]:
        """One ``POST .../batch/read`` of ``ids`` through the SDK's batch API at ``api_path``
        (``"crm.contacts.batch_api"``, ``"crm.objects.tasks.batch_api"``), as parsed JSON."""
        request = BatchReadInputSimplePublicObjectId(
            inputs=[SimplePublicObjectId(id=i) for i in ids],
            properties=list(properties),
            properties_with_history=list(history),
        )
        endpoint = self.endpoint(api_path).read_with_http_info
        data, _ = self.call_json(
            operation, endpoint, request, archived=archived, shape=BATCH_SHAPE, once=once
        )
        return data

    def endpoint(self, path: str) -> Any:
        """A generated API object such as ``"crm.contacts.search_api"``, built once.

        Every attribute access on ``hubspot.Client`` builds a new ApiClient with its own
        urllib3 pool; caching them keeps connections alive between calls.
        """
        api = self._apis.get(path)
        if api is None:
            api = self.client
            for part in path.split("."):
                api = getattr(api, part)
            self._apis[path] = api
        return api

    def close(self) -> None:
        """Close the connection pools of the API objects built so far."""
        for api in self._apis.values():
            api.api_client.rest_client.pool_manager.clear()
        self._apis.clear()

    def call(self, operation: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``fn(*args, **kwargs)`` (a ``*_with_http_info`` method) under the retry policy,
        for calls whose answer we do not read. Returns ``(data, status)``."""
        kwargs.setdefault("_request_timeout", self.conn.timeout)

        def attempt() -> Any:
            return fn(*args, **kwargs)

        return self._metered(operation, attempt)

    def call_json(
        self,
        operation: str,
        fn: Callable[..., Any],
        *args: Any,
        shape: Shape | None = None,
        check: Callable[[dict[str, Any]], None] | None = None,
        once: bool = False,
        **kwargs: Any,
    ) -> tuple[dict[str, Any], int]:
        """Like :meth:`call`, but returns the parsed JSON body instead of the SDK model.

        ``shape`` names the top-level keys the answer must have and their JSON types, ``check``
        may refuse it further; an answer refused either way is a
        :class:`~connectors.base.MalformedAnswer` (retried like any transient failure).
        ``once``: send it once, a transient failure raises (see :meth:`retried`).
        The generated deserializer parses every ``createdAt``/``updatedAt`` with dateutil
        (most of a pull's CPU time) and drops keys its model lacks; any 2xx status is fine.
        """
        kwargs.update(_preload_content=False, _request_timeout=self.conn.timeout)

        def attempt() -> Any:
            response = fn(*args, **kwargs)
            try:
                body = response.data  # read inside the attempt: a cut body is retried
            finally:
                response.release_conn()
            self.usage.observe_clock(response.headers.get("Date"))
            data = parse_json(response.status, body)
            require(data, shape or {})
            if check is not None:
                check(data)
            return data, response.status, response.headers

        return cast(tuple[dict[str, Any], int], self._metered(operation, attempt, once))

    def retried(self, operation: str, attempt: Callable[[], T]) -> T:
        """``attempt()`` (whose calls are sent ``once``) retried as a whole: a write re-reads
        and re-decides before it is sent again, never re-sent blindly."""
        return call(
            attempt,
            classify=classify,
            operation=operation,
            policy=self.retry,
            sleep=self.sleep,
            where=self.where,
        )

    def _metered(self, operation: str, attempt: Callable[[], Any], once: bool = False) -> Any:
        def before() -> None:
            self.usage.check(operation, self.where)
            self.usage.count(operation)

        data, status, headers = call(
            attempt,
            classify=classify,
            operation=operation,
            policy=ONCE if once else self.retry,
            sleep=self.sleep,
            on_attempt=before,
            where=self.where,
        )
        self._read_limits(headers)
        return data, status

    def _read_limits(self, headers: Any) -> None:
        daily = _int(header(headers, "X-HubSpot-RateLimit-Daily"))
        remaining = _int(header(headers, "X-HubSpot-RateLimit-Daily-Remaining"))
        if daily is not None and remaining is not None:
            self.usage.report(max(0, daily - remaining), daily)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None
