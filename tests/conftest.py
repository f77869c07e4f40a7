"""Suite-wide set-up: the hypothesis profile, and no test may reach a non-loopback host."""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from hypothesis import settings

pytest_plugins = ["tests.pg"]  # the private PostgreSQL server fixtures, one per run

#: CI: the same examples on every run (derandomized: each test's seed comes from the test
#: itself) and no example database carried between runs, so a red build is reproducible
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
#: a developer's machine: hypothesis' defaults, new random examples on every run
settings.register_profile("dev")
PROFILE_VARIABLE = "LEADLOOP_HYPOTHESIS_PROFILE"


def hypothesis_profile(environ: Mapping[str, str]) -> str:
    """$LEADLOOP_HYPOTHESIS_PROFILE (``.ci/run`` sets ``ci``), else ``ci`` wherever $CI is
    set (as CI services do), else ``dev``."""
    return environ.get(PROFILE_VARIABLE) or ("ci" if environ.get("CI") else "dev")


PROFILE = hypothesis_profile(os.environ)
settings.load_profile(PROFILE)


def pytest_report_header() -> str:
    return f"hypothesis profile: {PROFILE} (${PROFILE_VARIABLE})"


_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_getaddrinfo = socket.getaddrinfo


def _is_loopback(host: Any) -> bool:
    if not isinstance(host, str):
        return True  # AF_UNIX paths and the like
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def _guard(address: Any) -> None:
    if isinstance(address, tuple) and not _is_loopback(address[0]):
        raise RuntimeError(f"test tried to reach a non-loopback host: {address[0]!r}")


def _connect(self: socket.socket, address: Any) -> None:
    _guard(address)
    _real_connect(self, address)


def _connect_ex(self: socket.socket, address: Any) -> int:
    _guard(address)
    return _real_connect_ex(self, address)


def _getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    if isinstance(host, bytes):
        host = host.decode()
    if host is not None and not _is_loopback(host):
        raise RuntimeError(f"test tried to resolve a non-loopback host: {host!r}")
    return _real_getaddrinfo(host, *args, **kwargs)


@pytest.fixture(autouse=True, scope="session")
def _loopback_only() -> Iterator[None]:
    """Every test runs with outbound connections restricted to loopback."""
    socket.socket.connect = _connect  # type: ignore[method-assign,assignment]
    socket.socket.connect_ex = _connect_ex  # type: ignore[method-assign,assignment]
    socket.getaddrinfo = _getaddrinfo
    yield
    socket.socket.connect = _real_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _real_connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = _real_getaddrinfo
