"""A requests Session that honours configured Salesforce base URLs exactly.

simple-salesforce builds every URL as ``https://{sf_instance}/...`` and login URLs as
``https://{domain}.salesforce.com/...`` (``api.py`` and ``login.py`` of
https://github.com/simple-salesforce/simple-salesforce), so an ``http://``
loopback emulator, a proxy on another port or a private endpoint cannot be reached by
configuration alone. This session rewrites the scheme and host of any request whose host
matches a configured base URL to exactly that base URL; everything else passes unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
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
        # The APIs never redirect: a 3xx comes from a proxy or a portal. Following it would send
        # the request (and its session) elsewhere; the classifier retries it as an odd answer.
        kwargs.setdefault("allow_redirects", False)
        target = self.rewrite(url)
        if self.on_request is not None:
            self.on_request(method.decode() if isinstance(method, bytes) else method, target)
        return super().request(method, target, *args, **kwargs)
