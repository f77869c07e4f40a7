"""Schema migrations: from empty to head, in step with the models, refusing what is not ours."""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from sync.store.base import Base
from sync.store.db import (
    alembic_config,
    check_schema,
    current_revision,
    head_revision,
    make_engine,
    upgrade,
)
from sync.store.errors import SchemaOutOfDate, StoreError

TABLES = {
    "leads", "status_history", "raw_payloads", "sync_cursors", "runs", "outbox", "findings",
    "feedback_pushes", "leases", "review_tasks", "alembic_version",
}  # fmt: skip


def test_given_an_empty_database_when_upgraded_then_every_table_exists_at_head(
    empty_engine: Engine,
) -> None:
    applied = upgrade(empty_engine)

    assert applied == ["0001", "0002", "0003"]
    assert current_revision(empty_engine) == head_revision()
    assert set(inspect(empty_engine).get_table_names()) == TABLES
    check_schema(empty_engine)  # does not raise


def test_given_a_store_at_the_first_revision_when_upgraded_then_the_claim_index_is_added(
    empty_engine: Engine,
) -> None:
    with empty_engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0001")
    with pytest.raises(SchemaOutOfDate, match="at revision 0001, this leadloop needs 0003"):
        check_schema(empty_engine)

    applied = upgrade(empty_engine)

    assert applied == ["0002", "0003"]
    indexes = {index["name"] for index in inspect(empty_engine).get_indexes("outbox")}
    assert "ix_outbox_source_state_id" in indexes
    check_schema(empty_engine)  # does not raise


def test_given_a_database_at_head_when_upgraded_again_then_nothing_is_applied(
    engine: Engine,
) -> None:
    assert upgrade(engine) == []


def test_given_a_migrated_database_then_autogenerate_finds_no_difference_with_the_models(
    engine: Engine,
) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)

    assert diff == []


def test_given_an_empty_database_when_checked_then_it_says_to_run_db_upgrade(
    empty_engine: Engine,
) -> None:
    with pytest.raises(SchemaOutOfDate, match=r"not initialised: run `leadloop db upgrade"):
        check_schema(empty_engine)


def test_given_an_older_revision_when_checked_then_it_names_both_revisions_and_the_command(
    engine: Engine,
) -> None:
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0000'"))

    with pytest.raises(SchemaOutOfDate) as raised:
        check_schema(engine, upgrade_command="leadloop db upgrade -c prod.yaml")

    assert str(raised.value) == (
        f"database schema is at revision 0000, this leadloop needs {head_revision()}: "
        "run `leadloop db upgrade -c prod.yaml`"
    )


def test_given_a_text_file_named_db_when_opened_then_a_store_error_names_the_file(
    tmp_path: Path,
) -> None:
    path = tmp_path / "notes.db"
    path.write_text("this is not a database, just notes\n" * 100)

    with pytest.raises(StoreError, match=r"notes\.db is not a usable database"):
        upgrade(make_engine(f"sqlite:///{path}"))


def test_given_another_apps_sqlite_file_when_upgraded_then_it_is_refused_untouched(
    tmp_path: Path,
) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as other:
        other.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")

    with pytest.raises(StoreError, match=r"other\.db holds tables of another application"):
        upgrade(make_engine(f"sqlite:///{path}"))

    assert set(inspect(make_engine(f"sqlite:///{path}")).get_table_names()) == {"invoices"}


@pytest.mark.postgres
def test_given_two_workers_starting_at_once_when_both_upgrade_then_one_migrates_the_other_waits(
    postgres_url: str,
) -> None:
    engines = [make_engine(postgres_url) for _ in range(2)]

    with ThreadPoolExecutor(max_workers=2) as pool:
        applied = sorted(pool.map(upgrade, engines))

    assert applied == [[], ["0001", "0002", "0003"]]
    check_schema(engines[0])
    for engine in engines:
        engine.dispose()
