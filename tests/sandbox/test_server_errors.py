"""The sandbox server logs a client that hangs up mid-response quietly, real errors loudly."""

from __future__ import annotations

import logging
import socket
import struct
import threading

import pytest

from connectors.sandbox.server import App, Request, Response, Server

LOGGER = "connectors.sandbox.server"


class SlowBigApp(App):
    """Answers 4 MB, but only once the test says the client is gone."""

    name = "slow"

    def __init__(self) -> None:
        super().__init__()
        self.received = threading.Event()
        self.release = threading.Event()

    def operation(self, request: Request) -> str:
        return "big"

    def handle(self, request: Request) -> Response:
        self.received.set()
        self.release.wait(timeout=5)
        return Response(200, b"x" * 4_000_000, {"Content-Type": "text/plain"})


class Noticed(logging.Handler):
    """Sets ``event`` when a record containing ``text`` is logged."""

    def __init__(self, text: str) -> None:
        super().__init__(logging.DEBUG)
        self.text = text
        self.event = threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if self.text in record.getMessage():
            self.event.set()


def hang_up_with_reset(port: int, app: SlowBigApp) -> None:
    """Send a request, then close with SO_LINGER 0 (a TCP reset) before the answer comes."""
    client = socket.create_connection(("127.0.0.1", port))
    client.sendall(b"GET /big HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    assert app.received.wait(timeout=5)
    client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    client.close()
    app.release.set()


def test_given_a_client_that_resets_when_the_server_writes_then_debug_log_and_no_traceback(
    caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    """Given a client that resets the connection mid-request, when the server writes the
    answer, then one debug line is logged and nothing reaches stderr."""
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    noticed = Noticed("went away")
    logging.getLogger(LOGGER).addHandler(noticed)
    app = SlowBigApp()
    try:
        with Server(app) as server:
            hang_up_with_reset(server.port, app)
            assert noticed.event.wait(timeout=5), "the server never noticed the hang-up"
    finally:
        logging.getLogger(LOGGER).removeHandler(noticed)
    gone = [r for r in caplog.records if "went away" in r.getMessage()]
    assert [r.levelno for r in gone] == [logging.DEBUG]
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert "Traceback" not in capfd.readouterr().err


def test_given_any_other_error_when_serving_then_logged_with_its_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Given an unexpected error while serving a connection, then it is logged as an error
    with the traceback (not printed to stderr by the stdlib)."""
    app = SlowBigApp()
    with Server(app) as server:
        try:
            raise RuntimeError("handler exploded")
        except RuntimeError:
            server.httpd.handle_error(None, ("127.0.0.1", 1))
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and errors[0].exc_info is not None
    assert "handler exploded" in caplog.text
