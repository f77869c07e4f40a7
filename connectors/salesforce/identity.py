"""Who leadloop is in the org: its API user's id, read from the login answer (no extra call).

The writers compare it with a record's ``LastModifiedById``: a save since evaluation by
leadloop's own user is not someone else's edit. The SOAP ``login()`` answer names the user
(``LoginResult.userId``,
https://developer.salesforce.com/docs/atlas.en-us.api.meta/object_ref/sforce_api_calls_login_loginresult.htm);
the OAuth token answer carries the identity URL ``https://login.salesforce.com/id/<org>/<user>``
(``id``, https://help.salesforce.com/apex/HTViewHelpDoc?id=xcloud.remoteaccess_using_openid.htm).
Session-id auth has no login answer: the user stays unknown and every later stamp counts.

The SOAP answer also says how long the session lives without a call
(``userInfo.sessionSecondsValid``,
https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_getuserinfo_getuserinforesult.htm):
a daemon that keeps the session between cycles logs in up front after a longer pause instead
of sending a query the org would refuse.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import requests

_SOAP_USER = re.compile(rb"<userId>(005[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?)</userId>")
_SOAP_LIFETIME = re.compile(rb"<sessionSecondsValid>(\d{1,9})</sessionSecondsValid>")
_IDENTITY_USER = re.compile(r"/id/00D[A-Za-z0-9]{12,15}/(005[A-Za-z0-9]{12,15})$")
#: an org's session timeout unless its admin changed it (what an OAuth login is assumed to get)
#: https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_concepts_errorhandling.htm
DEFAULT_SESSION_TIMEOUT = timedelta(hours=2)


def user_of(response: requests.Response) -> str | None:
    """The API user's id in a successful login answer (SOAP or OAuth), else None."""
    if response.status_code != 200:
        return None
    found = _SOAP_USER.search(response.content)
    if found is not None:
        return found.group(1).decode()
    try:
        body: Any = json.loads(response.content)
    except ValueError:
        return None
    identity = body.get("id") if isinstance(body, dict) else None
    match = _IDENTITY_USER.search(identity) if isinstance(identity, str) else None
    return match.group(1) if match else None


def lifetime_of(response: requests.Response) -> int | None:
    """Seconds a session lives without a call, as a successful SOAP login answer says."""
    found = _SOAP_LIFETIME.search(response.content) if response.status_code == 200 else None
    return int(found.group(1)) if found else None


class UserWatch:
    """A ``requests`` response hook that keeps the API user named by the latest login, and
    the session lifetime it announced (None: not said, e.g. an OAuth token answer)."""

    def __init__(self, login_paths: tuple[str, ...]) -> None:
        self.login_paths = login_paths
        self.user_id: str | None = None
        self.session_seconds: int | None = None

    def __call__(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        if any(path in response.url for path in self.login_paths):
            self.user_id = user_of(response) or self.user_id
            self.session_seconds = lifetime_of(response)

    def session_lifetime(self) -> timedelta:
        """How long the latest login's session lives: as its answer said, else the default."""
        seconds = self.session_seconds
        return DEFAULT_SESSION_TIMEOUT if seconds is None else timedelta(seconds=seconds)
