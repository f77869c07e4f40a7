"""A tiny loopback HTTP server shared by the CRM emulators.

Each emulator is an :class:`App`: a function from :class:`Request` to :class:`Response`. The
server adds what both need: binding to loopback only, keep-alive (the real clients pool
connections), per-operation request counting, fault injection (:mod:`.faults`) and a control
API under ``/__sandbox__/`` for tests and benchmarks that run the emulator in another process.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from connectors.sandbox.faults import FaultPlan

log = logging.getLogger(__name__)

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass
class Request:
    method: str
    path: str  # decoded path, without the query string
    query: dict[str, list[str]]
    headers: Mapping[str, str]  # lower-cased names
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False  # close the connection without answering (a dropped connection)

    @classmethod
    def json(cls, payload: Any, status: int = 200, **headers: str) -> Response:
        body = json.dumps(payload, separators=(",", ":")).encode()
        return cls(status, body, {"Content-Type": "application/json;charset=UTF-8", **headers})

    @classmethod
    def text(cls, text: str, status: int = 200, content_type: str = "text/plain") -> Response:
        return cls(status, text.encode(), {"Content-Type": content_type})


class App:
    """Base class of an emulator. Subclasses implement :meth:`handle` and :meth:`operation`."""

    name = "app"

    def __init__(self) -> None:
        self.faults = FaultPlan()
        self.calls: Counter[str] = Counter()
        self.lock = threading.RLock()

    def operation(self, request: Request) -> str:
        """A short name for the API operation a request performs (used for counts and faults)."""
        raise NotImplementedError

    def handle(self, request: Request) -> Response:
        raise NotImplementedError

    def fault_response(self, kind: str, request: Request) -> Response | None:
        """The emulator-specific answer for an injected fault kind (None: not a kind we know)."""
        return None

    def control(self, request: Request) -> Response:
        """``/__sandbox__/...``: stats, faults and state, for tests in other processes."""
        action = request.path.removeprefix("/__sandbox__/").strip("/")
        if action == "stats" and request.method == "GET":
            return Response.json({"calls": dict(self.calls), "total": sum(self.calls.values())})
        if action == "stats/reset" and request.method == "POST":
            self.calls.clear()
            return Response.json({"ok": True})
        if action == "faults" and request.method == "POST":
            self.faults.load(request.json() or {})
            return Response.json({"ok": True})
        if action == "faults/clear" and request.method == "POST":
            self.faults.clear()
            return Response.json({"ok": True})
        if action == "portal":
            return Response.text(PORTAL_PAGE, content_type="text/html; charset=utf-8")
        return self.control_extra(action, request)

    def control_extra(self, action: str, request: Request) -> Response:
        return Response.json({"error": f"unknown control action {action!r}"}, 404)

    def dispatch(self, request: Request) -> Response:
        if request.path.startswith("/__sandbox__/"):
            return self.control(request)
        op = self.operation(request)
        with self.lock:
            self.calls[op] += 1
        fault = self.faults.pick(op)
        if fault is None:
            return self.handle(request)
        if fault.delay:
            time.sleep(fault.delay)
        if fault.kind == "drop":
            return Response(drop=True)
        if fault.kind == "slow":
            return self.handle(request)
        answer = self._injected(fault.kind, request)
        if fault.retry_after is not None:
            answer.headers["Retry-After"] = f"{fault.retry_after:g}"
        return answer

    def _injected(self, kind: str, request: Request) -> Response:
        if kind == "truncated" or kind.startswith("missing:"):
            return odd_answer(kind, self.handle(request))  # served, then spoiled on the way
        if kind in ODD_KINDS:
            return odd_answer(kind, None)
        answer = self.fault_response(kind, request)
        return answer if answer is not None else generic_fault(kind)


#: what a proxy, a captive portal or a maintenance page answers instead of the API
PORTAL_PAGE = (
    "<!DOCTYPE html><html><head><title>Sign in</title></head>"
    "<body><h1>Service temporarily unavailable</h1></body></html>"
)
ODD_KINDS = frozenset({"empty", "html", "redirect", "truncated"})


def odd_answer(kind: str, served: Response | None) -> Response:
    """An answer without the documented shape (see :mod:`.faults`); ``served`` is the real
    answer for the kinds that spoil one (``truncated``, ``missing:KEY``)."""
    if kind == "empty":
        return Response(200, b"", {"Content-Type": "application/json;charset=UTF-8"})
    if kind == "html":
        return Response.text(PORTAL_PAGE, content_type="text/html; charset=utf-8")
    if kind == "redirect":
        return Response(302, b"", {"Location": "/__sandbox__/portal"})
    assert served is not None
    if kind == "truncated":
        return Response(served.status, served.body[: len(served.body) // 2], served.headers)
    return _without_key(served, kind.removeprefix("missing:"))


def _without_key(served: Response, key: str) -> Response:
    try:
        payload = json.loads(served.body)
    except ValueError:
        return served
    if not isinstance(payload, dict) or key not in payload:
        return served
    del payload[key]
    return Response(served.status, json.dumps(payload).encode(), served.headers)


def generic_fault(kind: str) -> Response:
    """Answers for fault kinds every emulator shares: ``http500``, ``http503``, ``http502``..."""
    if kind.startswith("http") and kind[4:].isdigit():
        status = int(kind[4:])
        return Response.json(
            [{"message": f"injected {status}", "errorCode": "UNKNOWN_EXCEPTION"}], status
        )
    raise ValueError(f"unknown fault kind {kind!r}")


def _handler_for(app: App) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as the real APIs
        # Headers and body go out in separate writes; with Nagle on, a keep-alive client's
        # delayed ACK stalls every response ~40 ms.
        disable_nagle_algorithm = True

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            request = Request(
                method=self.command,
                path=parts.path,
                query=parse_qs(parts.query, keep_blank_values=True),
                headers={k.lower(): v for k, v in self.headers.items()},
                body=body,
            )
            try:
                response = app.dispatch(request)
            except Exception:  # an emulator bug must look like a 500, not a hang
                log.exception("%s emulator failed on %s %s", app.name, self.command, parts.path)
                response = Response.json(
                    [{"message": "emulator error", "errorCode": "UNKNOWN"}], 500
                )
            if response.drop:
                self.close_connection = True
                self.connection.close()
                return
            self.send_response(response.status)
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(response.body)

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = do_HEAD = _serve

        def date_time_string(self, timestamp: float | None = None) -> str:
            # a server's Date header is its own clock (RFC 9110, 6.6.1), the clock that stamps
            # its records: the emulator's, which tests freeze and move
            now = getattr(app, "now", None)
            if timestamp is None and callable(now):
                return format_datetime(now().astimezone(UTC), usegmt=True)
            return super().date_time_string(timestamp)

        def log_message(self, format: str, *args: Any) -> None:
            log.debug("%s: " + format, app.name, *args)

    return Handler


#: a client that hung up mid-response (timeouts, killed workers): expected, not an error
CLIENT_GONE = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError)


class _HTTPServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """Log through :mod:`logging` instead of printing tracebacks to stderr."""
        error = sys.exc_info()[1]
        if isinstance(error, CLIENT_GONE):
            log.debug("client %s went away: %r", client_address, error)
            return
        log.exception("error serving a request from %s", client_address)


class Server:
    """Serves one App on a loopback port in a background thread. Use as a context manager."""

    def __init__(self, app: App, host: str = "127.0.0.1", port: int = 0) -> None:
        if host not in LOOPBACK_HOSTS:
            raise ValueError(f"the sandbox only listens on loopback, not {host!r}")
        self.app = app
        self.httpd = _HTTPServer((host, port), _handler_for(app))
        self.httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Server:
        # a short poll interval makes stop() (and so every test using a server) fast
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, args=(0.05,), name=self.app.name, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve_forever(servers: list[Server], until: Callable[[], bool] | None = None) -> None:
    """Block until interrupted (or ``until()`` is true), then stop every server."""
    try:
        while until is None or not until():
            time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    finally:
        for server in servers:
            server.stop()
