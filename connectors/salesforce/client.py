"""Salesforce connection settings, the three login modes, and building a simple-salesforce client.

Secrets are plain ``str`` inside frozen dataclasses but excluded from ``repr`` (and therefore
from ``str``, logs and tracebacks that print the object). Error messages name the user and the
login URL, never a password, token, private key or session id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests
from simple_salesforce import Salesforce

from connectors.salesforce.transport import BaseUrlSession

DEFAULT_LOGIN_URL = "https://login.salesforce.com"
#: where simple-salesforce logs in: SOAP partner login, OAuth token endpoint
LOGIN_PATHS = ("/services/Soap/u/", "/services/oauth2/token")
_SALESFORCE_SUFFIX = ".salesforce.com"


@dataclass(frozen=True)
class PasswordAuth:
    """Username + password + security token (SOAP ``login``)."""

    username: str
    password: str = field(repr=False)
    security_token: str = field(repr=False, default="")


@dataclass(frozen=True)
class JwtAuth:
    """OAuth 2.0 JWT bearer flow: a connected app's consumer key and its RSA private key."""

    username: str
    consumer_key: str
    private_key_file: str | None = None
    private_key: str | None = field(repr=False, default=None)

    def __post_init__(self) -> None:
        if (self.private_key_file is None) == (self.private_key is None):
            raise ValueError("JwtAuth needs exactly one of private_key_file or private_key")


@dataclass(frozen=True)
class SessionAuth:
    """An existing session id (no login call; cannot be renewed when it expires)."""

    session_id: str = field(repr=False)


Auth = PasswordAuth | JwtAuth | SessionAuth


@dataclass(frozen=True)
class SalesforceConnection:
    """Where and how to reach one org.

    ``instance_url`` and ``login_url`` are full base URLs honoured exactly (scheme and port), so
    they may point at an ``http://127.0.0.1:PORT`` emulator, a proxy or a private endpoint.
    ``instance_url`` is required for session-id auth; with a login it overrides the instance the
    login answer names. ``timeout`` is in seconds, per HTTP request.
    """

    auth: Auth
    instance_url: str | None = None
    login_url: str = DEFAULT_LOGIN_URL
    api_version: str = "59.0"
    ca_bundle: str | None = None
    timeout: float = 120.0

    def __post_init__(self) -> None:
        for name in ("instance_url", "login_url"):
            value = getattr(self, name)
            if value is not None and not urlsplit(value).netloc:
                raise ValueError(f"SalesforceConnection.{name} is not an absolute URL: {value!r}")
        if isinstance(self.auth, SessionAuth) and not self.instance_url:
            raise ValueError("SalesforceConnection: session-id auth needs instance_url")
        if self.api_version.startswith("v"):
            raise ValueError(f"api_version is a number like '59.0', not {self.api_version!r}")

    @property
    def where(self) -> str:
        """The org as error messages name it: its instance host, else the login host."""
        return f"Salesforce at {_netloc(self.instance_url or self.login_url)}"

    @property
    def login_where(self) -> str:
        """The login as error messages name it: who logs in where (never a secret)."""
        who = getattr(self.auth, "username", None)
        return f"Salesforce login as {who!r} at {_netloc(self.login_url)}"

    @property
    def can_relogin(self) -> bool:
        """Whether an expired session can be replaced by logging in again."""
        return not isinstance(self.auth, SessionAuth)

    @property
    def login_domain(self) -> str:
        """The ``domain`` simple-salesforce wants: ``login``, ``test``, ``acme.my``...

        It builds login URLs as ``https://{domain}.salesforce.com``; for any other host (an
        emulator, a proxy) we keep ``login`` and let the session route that host to login_url.
        """
        host = (urlsplit(self.login_url).hostname or "").lower()
        if host.endswith(_SALESFORCE_SUFFIX):
            return host.removesuffix(_SALESFORCE_SUFFIX)
        return "login"


def _netloc(url: str) -> str:
    return urlsplit(url).netloc.lower()


def build_session(conn: SalesforceConnection) -> BaseUrlSession:
    """A requests session that sends every login and API request to the configured URLs."""
    routes = {
        f"{conn.login_domain}{_SALESFORCE_SUFFIX}": conn.login_url,
        _netloc(conn.login_url): conn.login_url,
    }
    if conn.instance_url:
        routes[_netloc(conn.instance_url)] = conn.instance_url
    session = BaseUrlSession(routes, ca_bundle=conn.ca_bundle, timeout=conn.timeout)
    session.hooks["response"].append(login_guard)
    return session


class LoginUnavailable(requests.HTTPError):
    """A login answer that says nothing about the credentials (a 5xx or a redirect without a
    SOAP fault): the server, or something in front of it, was not answering. Retried."""


def login_guard(response: requests.Response, *args: Any, **kwargs: Any) -> None:
    """Raise LoginUnavailable for a login answer that is not about the credentials.

    simple-salesforce turns every non-200 login answer into SalesforceAuthenticationFailed
    (or, for an OAuth 5xx whose JSON is not an object, an AttributeError), so this is the
    one place where a 503 can still be told from a refused password. The SOAP API answers
    every fault, INVALID_LOGIN included, with HTTP 500 and a fault body
    (https://developer.salesforce.com/docs/platform/api/guide/sforce-api-calls-login.html);
    OAuth refuses credentials with 400/401 (RFC 6749 section 5.2).
    """
    path = urlsplit(response.url).path  # a login_url with a path prefixes it
    if not any(login in path for login in LOGIN_PATHS):
        return
    status = response.status_code
    soap_fault = b"exceptionCode" in response.content or b"faultcode" in response.content
    if 300 <= status < 400 or (status >= 500 and not soap_fault):
        raise LoginUnavailable(f"login answered HTTP {status}", response=response)


def build_client(conn: SalesforceConnection, session: BaseUrlSession | None = None) -> Salesforce:
    """Log in (unless a session id is given) and return a client bound to the configured URLs.

    ``session`` defaults to :func:`build_session`. What the login raises (a refused or failed
    login, network errors) propagates for :func:`connectors.salesforce.errors.classify`.
    """
    session = session or build_session(conn)
    common: dict[str, Any] = {
        "version": conn.api_version,
        "session": session,
        "object_pairs_hook": dict,
    }
    auth = conn.auth
    if isinstance(auth, SessionAuth):
        return Salesforce(session_id=auth.session_id, instance_url=conn.instance_url, **common)
    if isinstance(auth, PasswordAuth):
        sf = Salesforce(
            username=auth.username,
            password=auth.password,
            security_token=auth.security_token,
            domain=conn.login_domain,
            **common,
        )
    else:
        sf = Salesforce(
            username=auth.username,
            consumer_key=auth.consumer_key,
            privatekey_file=auth.private_key_file,
            privatekey=auth.private_key,
            domain=conn.login_domain,
            **common,
        )
    if conn.instance_url:
        # The login answer names the org's instance; a configured instance_url (emulator,
        # proxy) wins, also after the library re-logs in on its own.
        session.add_route(sf.sf_instance, conn.instance_url)
    return sf
