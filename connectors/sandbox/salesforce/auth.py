"""Logins and sessions: the partner SOAP login, the OAuth JWT bearer flow, session checks.

The SOAP reply's ``serverUrl`` and the OAuth ``instance_url`` name the host the request came
to, so simple-salesforce sends everything after login back to this emulator
(crm-api-facts.md section 1.8). A JWT's signature is not verified (the emulator knows no
certificates); its claims are.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs
from xml.etree import ElementTree
from xml.sax.saxutils import escape

from connectors.sandbox.salesforce.values import make_id
from connectors.sandbox.server import Request, Response

ORG_ID = make_id("00D", 1)
USER_ID = make_id("005", 1)
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
AUDIENCES = ("https://login.salesforce.com", "https://test.salesforce.com")
INVALID_SESSION = [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
_SOAP_FAULT = """<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope \
xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" \
xmlns:sf="urn:fault.partner.soap.sforce.com" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><soapenv:Fault>\
<faultcode>sf:{code}</faultcode><faultstring>{code}: {message}</faultstring><detail>\
<sf:LoginFault xsi:type="sf:LoginFault"><sf:exceptionCode>{code}</sf:exceptionCode>\
<sf:exceptionMessage>{message}</sf:exceptionMessage></sf:LoginFault></detail></soapenv:Fault>\
</soapenv:Body></soapenv:Envelope>"""
_SOAP_LOGIN = """<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope \
xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="urn:partner.soap.sforce.com" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><loginResponse><result>\
<metadataServerUrl>{base}/services/Soap/m/{version}/{org15}</metadataServerUrl>\
<passwordExpired>false</passwordExpired><sandbox>true</sandbox>\
<serverUrl>{base}/services/Soap/u/{version}/{org15}</serverUrl><sessionId>{session}</sessionId>\
<userId>{user}</userId><userInfo><organizationId>{org}</organizationId>\
<sessionSecondsValid>{seconds}</sessionSecondsValid><userId>{user}</userId>\
<userName>{username}</userName><userTimeZone>Etc/UTC</userTimeZone></userInfo></result>\
</loginResponse></soapenv:Body></soapenv:Envelope>"""
BAD_LOGIN = "Invalid username, password, security token; or user locked out."
#: an org's default session timeout: a session expires after this long without activity
#: (https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_concepts_errorhandling.htm).
#: Activity counts only from halfway through the period: "the last active session time value
#: isn't updated until halfway through the timeout period", so a call in the first half does
#: not extend the session (Session Security Settings,
#: https://help.salesforce.com/s/articleView?id=sf.admin_sessions.htm, as quoted in
#: https://salesforce.stackexchange.com/questions/228678/is-session-duration-guaranteed)
SESSION_TIMEOUT = timedelta(hours=2)


def soap_fault(code: str, message: str, status: int = 500) -> Response:
    """A SOAP fault as the partner endpoint sends it (simple-salesforce reads exceptionCode)."""
    body = _SOAP_FAULT.format(code=code, message=escape(message))
    return Response.text(body, status, "text/xml; charset=utf-8")


class Sessions:
    """Credentials of the one API user and the session ids issued to it."""

    def __init__(
        self,
        username: str,
        password: str,
        security_token: str,
        now: Callable[[], datetime],
        timeout: timedelta | None = SESSION_TIMEOUT,
    ) -> None:
        self.username = username
        self._secret = password + security_token
        self._now = now
        #: the org's session timeout (Setup > Session Settings); None: sessions never time out
        self.timeout = timeout
        self._live: dict[str, datetime] = {}  # session id -> its last counted activity

    def issue(self) -> str:
        """A new valid session id (``00D...!...`` like Salesforce's)."""
        session = f"{ORG_ID[:15]}!{secrets.token_urlsafe(48)}"
        self._live[session] = self._now()
        return session

    def expire_all(self) -> int:
        """Invalidate every issued session; the number expired."""
        count = len(self._live)
        self._live.clear()
        return count

    def valid(self, request: Request) -> bool:
        """Whether the request carries a live session (``Bearer`` or ``OAuth`` scheme): one
        issued, not expired, and active within :attr:`timeout`. This use makes it active now
        only if its last activity is at least half the timeout old (module docstring)."""
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        token, now = token.strip(), self._now()
        last = self._live.get(token) if scheme.lower() in ("bearer", "oauth") else None
        if last is None:
            return False
        if self.timeout is None:
            return True
        if now - last >= self.timeout:
            del self._live[token]
            return False
        if now - last >= self.timeout / 2:
            self._live[token] = now
        return True

    def soap_login(self, request: Request, version: str) -> Response:
        """``POST /services/Soap/u/{version}``: the partner ``login`` call."""
        try:
            root = ElementTree.fromstring(request.body)
        except ElementTree.ParseError:
            return soap_fault("INVALID_LOGIN", BAD_LOGIN)
        values = {element.tag.rsplit("}", 1)[-1]: element.text or "" for element in root.iter()}
        if values.get("username") != self.username or values.get("password") != self._secret:
            return soap_fault("INVALID_LOGIN", BAD_LOGIN)
        base = f"https://{request.headers.get('host', '127.0.0.1')}"
        body = _SOAP_LOGIN.format(
            base=base,
            version=version,
            org=ORG_ID,
            org15=ORG_ID[:15],
            user=USER_ID,
            session=self.issue(),
            username=escape(self.username),
            seconds=int((self.timeout or SESSION_TIMEOUT).total_seconds()),
        )
        return Response.text(body, 200, "text/xml; charset=utf-8")

    def token(self, request: Request) -> Response:
        """``POST /services/oauth2/token`` for the JWT bearer grant."""
        form = {key: values[0] for key, values in parse_qs(request.body.decode()).items()}
        if form.get("grant_type") != JWT_GRANT:
            return _oauth_error("unsupported_grant_type", "grant type not supported")
        claims = _jwt_claims(form.get("assertion", ""))
        problem = self._claims_problem(claims)
        if problem is not None:
            return _oauth_error("invalid_grant", problem)
        host = request.headers.get("host", "127.0.0.1")
        return Response.json(
            {
                "access_token": self.issue(),
                "scope": "api",
                "instance_url": f"http://{host}",
                "id": f"https://login.salesforce.com/id/{ORG_ID}/{USER_ID}",
                "token_type": "Bearer",
            }
        )

    def _claims_problem(self, claims: dict[str, Any] | None) -> str | None:
        if claims is None or not all(claims.get(key) for key in ("iss", "sub", "aud", "exp")):
            return "invalid assertion"
        if claims["aud"] not in AUDIENCES:
            return "audience is invalid"
        try:
            expired = float(claims["exp"]) <= self._now().timestamp()
        except (TypeError, ValueError):
            return "invalid assertion"
        if expired:
            return "expired authorization code"
        if claims["sub"] != self.username:
            return "invalid assertion"
        return None


def _jwt_claims(assertion: str) -> dict[str, Any] | None:
    parts = assertion.split(".")
    if len(parts) != 3:
        return None
    try:
        payload = base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4))
        claims = json.loads(payload)
    except (binascii.Error, ValueError):
        return None
    return claims if isinstance(claims, dict) else None


def _oauth_error(code: str, description: str) -> Response:
    return Response.json({"error": code, "error_description": description}, 400)
