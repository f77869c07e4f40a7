"""A requests Session that honours configured Salesforce base URLs exactly.

simple-salesforce builds every URL as ``https://{sf_instance}/...`` and login URLs as
``https://{domain}.salesforce.com/...`` (crm-api-facts.md section 1.8), so an ``http://``
loopback emulator, a proxy on another port or a private endpoint cannot be reached by
configuration alone. This session rewrites the scheme and host of any request whose host
matches a configured base URL to exactly that base URL; everything else passes unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests


def _netloc(url: str) -> str:
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        raise ValueError(f"not an absolute URL: {url!r}")
    return parts.netloc.lower()


class BaseUrlSession(requests.Session):
    """Route requests for known hosts to their configured base URL (scheme and port kept).

    ``routes`` maps a host as simple-salesforce spells it (``login.salesforce.com``,
    ``127.0.0.1:8765``) to the base URL that must really be used (``http://127.0.0.1:8765``).
    """

    def __init__(
        self, routes: dict[str, str], ca_bundle: str | None = None, timeout: float | None = None
    ) -> None:
        super().__init__()
        self.routes = {host.lower(): base.rstrip("/") for host, base in routes.items()}
        # simple-salesforce has no timeout option: a session default is the only place for one.
        self.timeout = timeout
        #: called with (method, url) before every request, library-internal ones included
        #: (simple-salesforce re-logs in on its own): where the connectors count API calls
        self.on_request: Callable[[str, str], None] | None = None
        if ca_bundle:
            self.verify = ca_bundle

    @classmethod
    def for_urls(
        cls, urls: Iterable[str | None], login_domain: str = "login", ca_bundle: str | None = None
    ) -> BaseUrlSession:
        """A session routing each URL's own host (and the library's login host) to it.

        The first non-empty URL also serves ``{login_domain}.salesforce.com``: that is where
        simple-salesforce sends SOAP and OAuth logins.
        """
        routes: dict[str, str] = {}
        for url in (u for u in urls if u):
            routes.setdefault(f"{login_domain}.salesforce.com", url)
            routes[_netloc(url)] = url
        return cls(routes, ca_bundle)

    def add_route(self, host: str, base: str) -> None:
        """Also send requests for ``host`` to ``base`` (e.g. the instance a login returned)."""
        self.routes[host.lower()] = base.rstrip("/")

    def rewrite(self, url: str) -> str:
        parts = urlsplit(url)
        base = self.routes.get(parts.netloc.lower())
        if base is None:
            return url
        target = urlsplit(base)
        path = target.path.rstrip("/") + parts.path
        return urlunsplit((target.scheme, target.netloc, path, parts.query, parts.fragment))

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        if isinstance(url, bytes):
            url = url.decode()
        if self.timeout is not None:
            kwargs.setdefault("timeout", self.timeout)
        target = self.rewrite(url)
        if self.on_request is not None:
            self.on_request(method.decode() if isinstance(method, bytes) else method, target)
        return super().request(method, target, *args, **kwargs)
