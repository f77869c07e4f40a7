"""A private PostgreSQL server for the test suite, started from the installed binaries.

Registered suite-wide as a pytest plugin (``tests/conftest.py``), so one server serves the
whole run.
``postgres_url`` gives each test a fresh, empty database; ``store_url`` runs a test once on
SQLite and once on PostgreSQL. ``LEADLOOP_TEST_POSTGRES_URL`` points the suite at an existing
server instead (a superuser URL: test databases are created and dropped there).
PostgreSQL refuses to run as root, so as root the server runs as the ``postgres`` user.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import URL, make_url

NOT_FOUND = (
    "PostgreSQL server binaries not found (install Debian's postgresql package; .ci/run does)"
)
_database_numbers = itertools.count(1)


def find_bindir() -> Path | None:
    """The directory holding ``initdb`` and ``pg_ctl``, newest version first, or None."""
    candidates: list[str] = []
    if os.environ.get("LEADLOOP_PG_BINDIR"):
        candidates.append(os.environ["LEADLOOP_PG_BINDIR"])
    pg_config = shutil.which("pg_config")
    if pg_config:
        result = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        candidates.append(result.stdout.strip())
    versions = glob.glob("/usr/lib/postgresql/*/bin")
    candidates += sorted(versions, key=lambda p: int(Path(p).parent.name), reverse=True)
    for candidate in candidates:
        if candidate and (Path(candidate) / "initdb").exists():
            return Path(candidate)
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class PostgresServer:
    """A throw-away cluster in a temporary directory, listening on 127.0.0.1 only."""

    bindir: Path
    root: Path
    port: int

    @property
    def _as_user(self) -> list[str]:
        # PostgreSQL refuses to run as root: run its binaries as the postgres user then
        return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _run(self, tool: str, *args: str) -> None:
        command = [*self._as_user, str(self.bindir / tool), *args]
        result = subprocess.run(command, capture_output=True, text=True, cwd=self.root)
        if result.returncode != 0:
            log = self.root / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{tool} failed: {result.stderr.strip()}\n{tail}")

    def start(self) -> None:
        """initdb (trust auth, no fsync) and start the server; wait until it accepts."""
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(self.root, user.pw_uid, user.pw_gid)
        data = self.root / "data"
        self._run("initdb", "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--no-locale", "--no-sync")  # fmt: skip
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=50"
        )
        self._run("pg_ctl", "-D", str(data), "-o", options, "-l", str(self.root / "server.log"),
                  "-w", "-t", "30", "start")  # fmt: skip

    def stop(self) -> None:
        """Stop the server at once (the data is thrown away anyway)."""
        self._run("pg_ctl", "-D", str(self.root / "data"), "-m", "immediate", "-w", "stop")

    @property
    def admin_url(self) -> URL:
        """The superuser URL of the server's ``postgres`` database (trust auth, no password)."""
        return URL.create(
            "postgresql+psycopg", username="postgres", host="127.0.0.1", port=self.port,
            database="postgres",
        )  # fmt: skip


def _admin_execute(admin_url: URL, sql: str) -> None:
    dsn = admin_url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(sql)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[URL]:
    """The admin URL of a PostgreSQL server for this test session (private unless configured)."""
    configured = os.environ.get("LEADLOOP_TEST_POSTGRES_URL")
    if configured:
        yield make_url(configured)
        return
    bindir = find_bindir()
    if bindir is None:
        if os.environ.get("LEADLOOP_REQUIRE_POSTGRES") == "1":
            pytest.fail(NOT_FOUND)
        pytest.skip(NOT_FOUND)
    server = PostgresServer(bindir, Path(tempfile.mkdtemp(prefix="leadloop-pg-")), _free_port())
    try:
        server.start()
        yield server.admin_url
    finally:
        try:
            server.stop()
        finally:
            shutil.rmtree(server.root, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server: URL) -> Iterator[str]:
    """A fresh, empty database for one test (dropped afterwards), as a SQLAlchemy URL string."""
    name = f"leadloop_test_{os.getpid()}_{next(_database_numbers)}"
    _admin_execute(postgres_server, f'CREATE DATABASE "{name}" STRATEGY FILE_COPY')
    try:
        yield postgres_server.set(database=name).render_as_string(hide_password=False)
    finally:
        _admin_execute(postgres_server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty store database: a SQLite file, then (second run) a PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'leadloop.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url
