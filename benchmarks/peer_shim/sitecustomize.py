"""Loopback shim for the Singer taps that ``benchmarks/peers.py`` runs (never imported by us).

``peers.py`` puts this folder on ``PYTHONPATH`` of one tap subprocess only, so Python imports
this module at start-up, inside the tap's own virtualenv. It wraps
``requests.adapters.HTTPAdapter.send``, the one point every ``requests`` call of the taps
passes through (their sessions, ``requests.post`` and ``Session.send`` of a prepared request):

* a request for a host named in ``LEADLOOP_PEER_ROUTES`` (JSON: host -> emulator base URL;
  a key ``*.example.com`` matches every subdomain) goes to that base URL instead, path and
  query unchanged: the taps build ``https://`` URLs for the vendors' hosts and have no option
  for another base URL;
* with ``LEADLOOP_PEER_JWT_SUBJECT`` set, the OAuth refresh-token grant tap-salesforce sends to
  ``/services/oauth2/token`` is exchanged for a JWT bearer grant for that user: the emulator
  implements the SOAP login and the JWT bearer flow, the tap only the refresh-token flow. One
  token request either way (https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_jwt_flow.htm);
* any other request for a host outside the loopback range ends the process at once with exit
  code 97 and a line on stderr naming the host: nothing leaves the machine.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import os
import sys
import time
from typing import Any, NoReturn
from urllib.parse import parse_qsl, urlsplit, urlunsplit

REFUSED_EXIT = 97
ROUTES_ENV = "LEADLOOP_PEER_ROUTES"
JWT_ENV = "LEADLOOP_PEER_JWT_SUBJECT"
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"


def is_loopback(host: str) -> bool:
    """Whether ``host`` (no port) names this machine's loopback interface."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def route_for(host: str, routes: dict[str, str]) -> str | None:
    """The base URL configured for ``host``, exactly or through a ``*.suffix`` key."""
    host = host.lower()
    if host in routes:
        return routes[host]
    for pattern, base in routes.items():
        if pattern.startswith("*.") and host.endswith(pattern[1:]):
            return base
    return None


def rewrite(url: str, routes: dict[str, str]) -> str:
    """``url`` sent to its configured base URL; unchanged for hosts without a route."""
    parts = urlsplit(url)
    base = route_for(parts.hostname or "", routes)
    if base is None:
        return url
    target = urlsplit(base)
    path = target.path.rstrip("/") + parts.path
    return urlunsplit((target.scheme, target.netloc, path, parts.query, parts.fragment))


def target(url: str, routes: dict[str, str]) -> str | None:
    """Where a request for ``url`` may go: its route, itself on loopback, or None (refused)."""
    rewritten = rewrite(url, routes)
    return rewritten if is_loopback(urlsplit(rewritten).hostname or "") else None


def jwt_assertion(subject: str, audience: str = "https://login.salesforce.com") -> str:
    """An unsigned-looking JWT bearer assertion (the emulator checks claims, not signatures)."""

    def part(value: dict[str, Any]) -> str:
        raw = json.dumps(value, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    claims = {"iss": "tap", "sub": subject, "aud": audience, "exp": int(time.time()) + 300}
    return f"{part({'alg': 'RS256'})}.{part(claims)}.c2hpbQ"


def exchange_refresh_grant(request: Any, subject: str) -> None:
    """Turn a refresh-token grant (form body) into a JWT bearer grant, in place."""
    if not urlsplit(request.url).path.rstrip("/").endswith("/services/oauth2/token"):
        return
    body = request.body.decode() if isinstance(request.body, bytes) else request.body or ""
    if dict(parse_qsl(body)).get("grant_type") != "refresh_token":
        return
    request.prepare_body({"grant_type": JWT_GRANT, "assertion": jwt_assertion(subject)}, None)


def refuse(url: str) -> NoReturn:
    """Stop the process: a tap tried to reach a host that is not on loopback."""
    host = urlsplit(url).hostname
    sys.stderr.write(f"leadloop-peer-shim: refused a request to non-loopback host {host}\n")
    sys.stderr.flush()
    os._exit(REFUSED_EXIT)


def install() -> None:
    """Wrap ``HTTPAdapter.send`` when this process was started with routes."""
    if ROUTES_ENV not in os.environ:
        return
    routes = {k.lower(): v for k, v in json.loads(os.environ[ROUTES_ENV]).items()}
    subject = os.environ.get(JWT_ENV)
    from requests.adapters import HTTPAdapter

    original = HTTPAdapter.send

    def send(self: HTTPAdapter, request: Any, *args: Any, **kwargs: Any) -> Any:
        goes = target(request.url, routes)
        if goes is None:
            refuse(request.url)
        request.url = goes
        if subject:
            exchange_refresh_grant(request, subject)
        return original(self, request, *args, **kwargs)

    HTTPAdapter.send = send  # type: ignore[method-assign]


install()
