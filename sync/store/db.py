"""Engines, sessions and schema migrations of the store.

SQLite (a file, zero set-up) and PostgreSQL (``postgresql+psycopg://``) share the same models
and migrations. URLs are only ever shown with the password hidden.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from sync.store.errors import SchemaOutOfDate, StoreError

VERSION_TABLE = "alembic_version"
SQLITE_BUSY_TIMEOUT_MS = 5_000
_LOCK_KEY = 0x1EAD_100B  # PostgreSQL advisory lock held while migrating ("leadloop")
SUPPORTED = "sqlite:///<path> or postgresql+psycopg://<user>@<host>/<database>"


def safe_url(url: URL | Engine) -> str:
    """The URL as text with its password masked: the only way a URL appears in messages."""
    target = url.url if isinstance(url, Engine) else url
    return target.render_as_string(hide_password=True)


def make_engine(url: str | URL, **engine_options: Any) -> Engine:
    """An engine for ``url``; SQLite gets WAL, enforced foreign keys and a busy timeout.

    The parent directory of a SQLite file is created if missing.
    """
    parsed = _supported(make_url(url))
    if parsed.get_backend_name() == "postgresql":
        # No server-side prepared statements: psycopg prepares a query after 5 runs and the
        # generic plan of "external_id IN (...)" on a young, unanalysed table is a sequential
        # scan, so each page of a first sync got slower (0.2 s -> 3.4 s by page 10)
        connect_args = {"prepare_threshold": None, **engine_options.pop("connect_args", {})}
        return create_engine(
            parsed, pool_pre_ping=True, connect_args=connect_args, **engine_options
        )
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    try:
        engine = create_engine(parsed, **engine_options)
    except ArgumentError:  # e.g. sqlite://x.db: a host where the path belongs
        raise StoreError(
            f"store URL {safe_url(parsed)} is not valid: a SQLite URL has three "
            "slashes before a relative path (sqlite:///leadloop.db), four before an absolute "
            "one (sqlite:////var/lib/leadloop.db)"
        ) from None
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _supported(url: URL) -> URL:
    """``url`` if leadloop supports its database; plain ``postgresql://`` means psycopg 3."""
    if url.drivername in ("postgresql", "postgres"):
        return url.set(drivername="postgresql+psycopg")
    if url.drivername in ("sqlite", "sqlite+pysqlite", "postgresql+psycopg"):
        return url
    raise StoreError(f"unsupported store URL {safe_url(url)}: use {SUPPORTED}")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Foreign keys, a busy timeout, and the journal settings of a single writer.

    WAL with ``synchronous=NORMAL`` (https://www.sqlite.org/pragma.html#pragma_synchronous,
    https://www.sqlite.org/wal.html): a commit writes the log without waiting for the disk;
    the database is never corrupted, and a killed process loses nothing committed. A power
    loss or OS crash may roll back the last few commits: the same as a crash just before
    them, which every step is built to converge from (a page commits with its cursor, so the
    page is pulled again; a write batch's outcome lost is reconciled as in flight, or re-sent
    and found already applied by the conflict check).
    """
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL, much faster commits
    finally:
        cursor.close()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions bound to ``engine``; objects stay readable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config(connection: Connection | None = None) -> Config:
    """The Alembic configuration, built in code (no alembic.ini): scripts inside the package."""
    config = Config()
    location = resources.files("sync.store") / "migrations"
    config.set_main_option("script_location", str(location))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The schema revision this leadloop needs."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:  # pragma: no cover - the package always ships its migrations
        raise StoreError("leadloop's migration scripts are missing from the installation")
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for a database leadloop never initialised."""
    with _connect(engine) as connection:
        _refuse_foreign(engine, connection)
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine) -> list[str]:
    """Migrate the database to the head revision; return the revisions applied, oldest first.

    On PostgreSQL an advisory lock makes concurrent upgrades (several workers starting at
    once) run one after the other; the later ones find nothing to do.
    """
    script = ScriptDirectory.from_config(alembic_config())
    with _connect(engine) as connection, connection.begin():
        _refuse_foreign(engine, connection)
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
        before = MigrationContext.configure(connection).get_current_revision()
        pending = [rev.revision for rev in script.iterate_revisions("head", before)]
        if pending:
            command.upgrade(alembic_config(connection), "head")
    return list(reversed(pending))


def check_schema(engine: Engine, upgrade_command: str = "leadloop db upgrade -c <config>") -> None:
    """Raise :class:`SchemaOutOfDate` unless the database is at the head revision.

    ``upgrade_command`` is the command the message tells the user to run (with their config).
    """
    current, needed = current_revision(engine), head_revision()
    if current is None:
        raise SchemaOutOfDate(
            f"database {safe_url(engine)} is not initialised: run `{upgrade_command}`"
        )
    if current != needed:
        raise SchemaOutOfDate(
            f"database schema is at revision {current}, this leadloop needs {needed}: "
            f"run `{upgrade_command}`"
        )


@contextmanager
def _connect(engine: Engine) -> Iterator[Connection]:
    """A connection outside any transaction; a database that cannot be opened is a StoreError."""
    connection = _open(engine)
    with connection:
        yield connection


def _open(engine: Engine) -> Connection:
    try:
        connection = engine.connect()
    except DatabaseError as exc:
        raise _unusable(engine, exc) from exc
    try:
        inspect(connection).get_table_names()  # SQLite only reads the file header here
        connection.rollback()
    except DatabaseError as exc:
        connection.close()
        raise _unusable(engine, exc) from exc
    return connection


def _unusable(engine: Engine, exc: DatabaseError) -> StoreError:
    if isinstance(exc, OperationalError):  # unreachable server, missing permissions, ...
        return StoreError(f"cannot open database {safe_url(engine)}: {exc.orig}")
    return StoreError(  # e.g. SQLite's "file is not a database"
        f"{safe_url(engine)} is not a usable database ({exc.orig}); "
        "point store.url at a leadloop database or a new file"
    )


def _refuse_foreign(engine: Engine, connection: Connection) -> None:
    """Refuse a database holding tables but no leadloop revision: it belongs to something else."""
    tables = set(inspect(connection).get_table_names())
    if tables and VERSION_TABLE not in tables:
        listed = ", ".join(sorted(tables)[:5]) + (", ..." if len(tables) > 5 else "")
        raise StoreError(
            f"database {safe_url(engine)} holds tables of another application ({listed}) and no "
            "leadloop schema: give leadloop its own database or file"
        )
