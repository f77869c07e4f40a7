"""vcrpy set-up for Salesforce cassettes: scrubbing secrets and the recorded host.

Cassettes are recorded from the emulator (or a real sandbox org, see
docs/recording-cassettes.md) and replayed with the network off. Every request and response
passes through the same scrubber, on recording *and* on replay (vcrpy filters live requests
before matching), so a replayed request matches the recorded one although the cassette holds
placeholders instead of passwords, JWT assertions and session ids.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import vcr
from vcr.request import Request as VcrRequest

CASSETTES = Path(__file__).resolve().parents[1] / "cassettes" / "salesforce"
#: the host every cassette shows instead of the emulator's loopback port or a real instance
PLACEHOLDER = "https://example.my.salesforce.com"
REDACTED = "REDACTED"

_XML_SECRETS = ("password", "sessionId", "username", "userName", "userEmail")
_FORM_SECRETS = ("password", "assertion", "client_secret", "refresh_token", "code", "username")
_JSON_SECRETS = ("access_token", "signature", "refresh_token", "id_token")
#: header names removed from recorded requests and responses
SECRET_HEADERS = ("authorization", "cookie", "set-cookie", "x-sfdc-session")


def recording() -> bool:
    """Whether this run records cassettes (``LEADLOOP_RECORD=1``) instead of replaying."""
    return os.environ.get("LEADLOOP_RECORD") == "1"


def _replace_hosts(text: str, live_bases: Sequence[str]) -> str:
    for base in live_bases:
        host = re.sub(r"^https?://", "", base.rstrip("/"))
        text = re.sub(rf"https?://{re.escape(host)}", PLACEHOLDER, text)
        text = text.replace(host, PLACEHOLDER.removeprefix("https://"))
    return text


def scrub_text(text: str, live_bases: Sequence[str] = ()) -> str:
    """Secrets in SOAP XML, form bodies and JSON replaced; live hosts made the placeholder."""
    for tag in _XML_SECRETS:
        text = re.sub(
            rf"(<(?:\w+:)?{tag}>)[^<]*(</(?:\w+:)?{tag}>)", rf"\g<1>{REDACTED}\g<2>", text
        )
    text = _scrub_json(text)
    return _replace_hosts(text, live_bases)


def _scrub_json(text: str) -> str:
    try:
        payload = json.loads(text)
    except ValueError:
        return text
    if isinstance(payload, dict) and any(key in payload for key in _JSON_SECRETS):
        for key in _JSON_SECRETS:
            if key in payload:
                payload[key] = REDACTED
        return json.dumps(payload)
    return text


def _scrub_form(text: str) -> str:
    if "=" not in text or text.lstrip().startswith(("<", "{", "[")):
        return text
    pairs = parse_qsl(text, keep_blank_values=True)
    if not any(key in _FORM_SECRETS for key, _ in pairs):
        return text
    return urlencode([(k, REDACTED if k in _FORM_SECRETS else v) for k, v in pairs])


def _text(body: Any) -> str | None:
    if body is None:
        return None
    if isinstance(body, bytes):
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            return None
    return str(body)


def request_scrubber(live_bases: Sequence[str]) -> Callable[[VcrRequest], VcrRequest]:
    """``before_record_request``: placeholder host, no secret headers, no secrets in bodies."""

    def scrub(request: VcrRequest) -> VcrRequest:
        request.uri = _replace_hosts(request.uri, live_bases)
        for name in list(request.headers):
            if name.lower() in SECRET_HEADERS:
                del request.headers[name]
        text = _text(request.body)
        if text is not None:
            request.body = scrub_text(_scrub_form(text), live_bases).encode()
        return request

    return scrub


def response_scrubber(live_bases: Sequence[str]) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """``before_record_response``: the same for what the server answered."""

    def scrub(response: dict[str, Any]) -> dict[str, Any]:
        headers = response.get("headers", {})
        for name in list(headers):
            if name.lower() in SECRET_HEADERS:
                del headers[name]
        text = _text(response.get("body", {}).get("string"))
        if text is not None:
            response["body"]["string"] = scrub_text(text, live_bases).encode()
        return response

    return scrub


def use_cassette(name: str, live_bases: Sequence[str] = ()) -> Any:
    """The cassette context manager; a re-recording starts from an empty file."""
    if recording():
        (CASSETTES / name).unlink(missing_ok=True)
    return make_vcr(live_bases).use_cassette(name)


def make_vcr(live_bases: Sequence[str] = ()) -> vcr.VCR:
    """A VCR that records (LEADLOOP_RECORD=1) or replays with the network off."""
    return vcr.VCR(
        cassette_library_dir=str(CASSETTES),
        record_mode="all" if recording() else "none",
        match_on=["method", "scheme", "host", "port", "path", "query", "body"],
        before_record_request=request_scrubber(live_bases),
        before_record_response=response_scrubber(live_bases),
        decode_compressed_response=True,
    )
