"""HubSpot connection settings, building a hubspot-api-client, and metered calls.

Every request goes through :meth:`HubSpotApi.call`: the one retry policy
(:func:`connectors.http.call`) with :func:`connectors.hubspot.errors.classify`, a call counter
per operation, the daily allowance read from ``X-HubSpot-RateLimit-Daily[-Remaining]`` and the
configured share of it enforced *before* a call is sent.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlsplit

import hubspot

from connectors.base import ApiUsage, AuthError, FatalError, LimitExhausted
from connectors.http import RetryPolicy, call
from connectors.hubspot.errors import classify, header

DEFAULT_BASE_URL = "https://api.hubapi.com"
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
        api_budget_share: float = 1.0,
    ) -> None:
        if not 0 < api_budget_share <= 1:
            raise ValueError(f"api_budget_share must be in (0, 1], not {api_budget_share}")
        self.conn = conn
        self.usage = usage
        self.retry = retry
        self.sleep = sleep
        self.share = api_budget_share
        self._client: hubspot.Client | None = None
        self._apis: dict[str, Any] = {}
        self._reported_at_calls = 0  # usage.calls when the CRM last reported its count

    @property
    def client(self) -> hubspot.Client:
        """The hubspot-api-client, built on first use (no network until a call is made)."""
        if self._client is None:
            self._client = build_client(self.conn)
        return self._client

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
        """``fn(*args, **kwargs)`` (a ``*_with_http_info`` method) under the retry policy.

        Returns ``(data, status)``. Raises AuthError on 401, FatalError on other refusals,
        LimitExhausted when the daily allowance (or our share of it) is spent.
        """
        kwargs.setdefault("_request_timeout", self.conn.timeout)

        def attempt() -> Any:
            return fn(*args, **kwargs)

        return self._metered(operation, attempt)

    def call_json(
        self, operation: str, fn: Callable[..., Any], *args: Any, **kwargs: Any
    ) -> tuple[dict[str, Any], int]:
        """Like :meth:`call`, but returns the parsed JSON body instead of the SDK model.

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
            return _json(operation, body), response.status, response.headers

        data, status = self._metered(operation, attempt)
        if not isinstance(data, dict):
            raise FatalError(f"{operation}: HubSpot answered {type(data).__name__}, not an object")
        return data, status

    def _metered(self, operation: str, attempt: Callable[[], Any]) -> Any:
        try:
            data, status, headers = call(
                attempt,
                classify=classify,
                operation=operation,
                policy=self.retry,
                sleep=self.sleep,
                on_attempt=lambda: self._before_attempt(operation),
            )
        except FatalError as exc:
            if getattr(exc.__cause__, "status", None) == 401:
                raise AuthError(f"HubSpot {exc}") from None
            raise
        self._read_limits(headers)
        return data, status

    def _before_attempt(self, operation: str) -> None:
        allowed = self.allowed_calls()
        if allowed is not None and self.estimated_used() + 1 > allowed:
            raise LimitExhausted(
                f"{operation}: API budget spent ({self.estimated_used()} of the daily "
                f"{self.usage.limit} calls used; this source may use {allowed})"
            )
        self.usage.count(operation)

    def allowed_calls(self) -> int | None:
        """Our share of the daily allowance, once HubSpot has told us the allowance."""
        if self.usage.limit is None:
            return None
        return int(self.usage.limit * self.share)

    def estimated_used(self) -> int:
        """Calls used today: the CRM's last report plus what we sent since (search responses
        carry no rate-limit headers, crm-api-facts.md 2.2)."""
        if self.usage.used is None:
            return 0
        return self.usage.used + (self.usage.calls - self._reported_at_calls)

    def _read_limits(self, headers: Any) -> None:
        daily = _int(header(headers, "X-HubSpot-RateLimit-Daily"))
        remaining = _int(header(headers, "X-HubSpot-RateLimit-Daily-Remaining"))
        if daily is None or remaining is None:
            return
        self.usage.limit = daily
        self.usage.used = max(0, daily - remaining)
        self._reported_at_calls = self.usage.calls


def _json(operation: str, body: bytes) -> Any:
    try:
        return json.loads(body) if body else {}
    except ValueError:
        raise FatalError(f"{operation}: HubSpot answered something that is not JSON") from None


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None
