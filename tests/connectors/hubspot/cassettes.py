"""vcrpy set-up for HubSpot cassettes: no token, no loopback host, JSON bodies matched by value.

Cassettes are recorded from the emulator (``LEADLOOP_RECORD=1``, docs/recording-cassettes.md)
and replayed with the network off. The scrubber runs on recording *and* on replay (vcrpy
filters live requests before matching), so replayed requests match the placeholders.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import vcr
from vcr.request import Request as VcrRequest

CASSETTES = Path(__file__).resolve().parents[1] / "cassettes" / "hubspot"
#: the base URL every cassette shows instead of the emulator's loopback port
PLACEHOLDER = "https://api.hubapi.example"
REDACTED = "REDACTED"
SECRET_HEADERS = ("authorization", "cookie", "set-cookie")


def recording() -> bool:
    """Whether this run records cassettes (``LEADLOOP_RECORD=1``) instead of replaying."""
    return os.environ.get("LEADLOOP_RECORD") == "1"


def scrub_text(text: str, live_bases: Sequence[str], secrets: Sequence[str]) -> str:
    """Secrets replaced by REDACTED; the live base URLs (and bare hosts) by the placeholder."""
    for secret in secrets:
        text = text.replace(secret, REDACTED)
    for base in live_bases:
        host = re.sub(r"^https?://", "", base.rstrip("/"))
        text = re.sub(rf"https?://{re.escape(host)}", PLACEHOLDER, text)
        text = text.replace(host, PLACEHOLDER.removeprefix("https://"))
    return text


def _text(body: Any) -> str | None:
    if body is None:
        return None
    if isinstance(body, bytes):
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            return None
    return str(body)


def request_scrubber(
    live_bases: Sequence[str], secrets: Sequence[str]
) -> Callable[[VcrRequest], VcrRequest]:
    """``before_record_request``: placeholder host, no Authorization, no secret in the body."""

    def scrub(request: VcrRequest) -> VcrRequest:
        request.uri = scrub_text(request.uri, live_bases, secrets)
        for name in list(request.headers):
            if name.lower() in SECRET_HEADERS:
                del request.headers[name]
        text = _text(request.body)
        if text is not None:
            request.body = scrub_text(text, live_bases, secrets).encode()
        return request

    return scrub


def response_scrubber(
    live_bases: Sequence[str], secrets: Sequence[str]
) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """``before_record_response``: the same for what the server answered."""

    def scrub(response: dict[str, Any]) -> dict[str, Any]:
        headers = response.get("headers", {})
        for name in list(headers):
            if name.lower() in SECRET_HEADERS:
                del headers[name]
        text = _text(response.get("body", {}).get("string"))
        if text is not None:
            response["body"]["string"] = scrub_text(text, live_bases, secrets).encode()
        return response

    return scrub


def json_body(r1: VcrRequest, r2: VcrRequest) -> None:
    """Match bodies as JSON values (key order aside); vcrpy matchers raise on mismatch."""
    a, b = _text(r1.body), _text(r2.body)
    try:
        same = json.loads(a or "null") == json.loads(b or "null")
    except ValueError:
        same = a == b
    if not same:
        raise AssertionError(f"request bodies differ: {a!r} != {b!r}")


def use_cassette(name: str, live_bases: Sequence[str] = (), secrets: Sequence[str] = ()) -> Any:
    """The cassette context manager; a re-recording starts from an empty file."""
    if recording():
        (CASSETTES / name).unlink(missing_ok=True)
    recorder = vcr.VCR(
        cassette_library_dir=str(CASSETTES),
        record_mode="all" if recording() else "none",
        match_on=["method", "scheme", "host", "port", "path", "query", "json_body"],
        before_record_request=request_scrubber(live_bases, secrets),
        before_record_response=response_scrubber(live_bases, secrets),
        decode_compressed_response=True,
    )
    recorder.register_matcher("json_body", json_body)
    return recorder.use_cassette(name)
