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
    "feedback_pushes", "leases", "recommendations", "recommendation_rules", "review_tasks",
    "alembic_version",
}  # fmt: skip


def test_given_an_empty_database_when_upgraded_then_every_table_exists_at_head(
    empty_engine: Engine,
) -> None:
    applied = upgrade(empty_engine)

    assert applied == ["0001", "0002", "0003", "0004", "0005", "0006", "0007"]
    assert current_revision(empty_engine) == head_revision()
    assert set(inspect(empty_engine).get_table_names()) == TABLES
    check_schema(empty_engine)  # does not raise


def test_given_a_store_at_the_first_revision_when_upgraded_then_the_claim_index_is_added(
    empty_engine: Engine,
) -> None:
    with empty_engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0001")
    with pytest.raises(SchemaOutOfDate, match="at revision 0001, this leadloop needs 0007"):
        check_schema(empty_engine)

    applied = upgrade(empty_engine)

    assert applied == ["0002", "0003", "0004", "0005", "0006", "0007"]
    indexes = {index["name"] for index in inspect(empty_engine).get_indexes("outbox")}
    assert "ix_outbox_source_state_id" in indexes
    check_schema(empty_engine)  # does not raise


def test_given_a_store_with_runs_and_leases_at_0003_when_upgraded_then_rows_stay_and_runs_can_abort(
    empty_engine: Engine,
) -> None:
    with empty_engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0003")
        connection.execute(
            text(
                "INSERT INTO runs (kind, source, state, created_at, counts, dry_run) "
                "VALUES ('sync', 'salesforce', 'running', '2026-11-29 10:00:00', '{}', false)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO leases (name, holder, expires_at) "
                "VALUES ('sync:salesforce', 'old-host:12', '2026-11-29 10:15:00')"
            )
        )

    assert upgrade(empty_engine) == ["0004", "0005", "0006", "0007"]

    with empty_engine.begin() as connection:
        connection.execute(text("UPDATE runs SET state = 'aborted'"))
        lease = connection.execute(text("SELECT holder, instance FROM leases")).one()
    assert tuple(lease) == ("old-host:12", "")


def test_given_leads_stored_before_0003_when_upgraded_then_they_read_as_not_invalid(
    empty_engine: Engine,
) -> None:
    with empty_engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0002")
        connection.execute(
            text(
                "INSERT INTO leads (source, external_id, wants_call, is_deleted, fingerprint, "
                "first_seen_at, updated_at) VALUES ('sf', '1', false, false, 'x', "
                "'2026-01-01 00:00:00', '2026-01-01 00:00:00')"
            )
        )

    assert upgrade(empty_engine) == ["0003", "0004", "0005", "0006", "0007"]

    with empty_engine.connect() as connection:
        row = connection.execute(text("SELECT email_invalid, phone_invalid FROM leads")).one()
    assert (bool(row.email_invalid), bool(row.phone_invalid)) == (False, False)


def test_given_leads_without_entry_times_when_upgraded_then_their_latest_history_fills_them(
    empty_engine: Engine,
) -> None:
    """0005: a lead of a mapping without a status-changed date gets its latest history time;
    a lead holding the CRM's own date keeps it."""
    with empty_engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0004")
        connection.execute(
            text(
                "INSERT INTO leads (id, source, external_id, status, wants_call, is_deleted,"
                " fingerprint, first_seen_at, updated_at, status_changed_at) VALUES"
                " (1, 's', 'a', 'nurture', false, false, 'f', :t, :t, NULL),"
                " (2, 's', 'b', 'nurture', false, false, 'f', :t, :t, :crm)"
            ),
            {"t": "2026-01-01 00:00:00", "crm": "2025-06-01 00:00:00"},
        )
        connection.execute(
            text(
                "INSERT INTO status_history (lead_id, from_status, to_status, changed_at,"
                " observed_at) VALUES (1, NULL, 'working', :old, :old),"
                " (1, 'working', 'nurture', :new, :new), (2, NULL, 'nurture', :old, :old)"
            ),
            {"old": "2025-12-01 00:00:00", "new": "2025-12-20 08:00:00"},
        )

    upgrade(empty_engine)

    with empty_engine.connect() as connection:
        rows = connection.execute(text("SELECT id, status_changed_at FROM leads ORDER BY id"))
        found = {i: str(when)[:19] for i, when in rows}
        bases = set(connection.execute(text("SELECT basis FROM status_history")).scalars())
    assert found == {1: "2025-12-20 08:00:00", 2: "2025-06-01 00:00:00"}
    assert bases == {None}


def test_given_leads_with_history_at_0006_when_upgraded_then_their_latest_spell_start_is_kept(
    empty_engine: Engine,
) -> None:
    """0007: each lead's disqualified_at is its latest change into nurture or unqualified
    from another status; moves between the two start no spell; a lead never disqualified
    has none."""
    with empty_engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0006")
        connection.execute(
            text(
                "INSERT INTO leads (id, source, external_id, status, wants_call, is_deleted,"
                " fingerprint, first_seen_at, updated_at) VALUES"
                " (1, 's', 'a', 'unqualified', false, false, 'f', :t, :t),"
                " (2, 's', 'b', 'working', false, false, 'f', :t, :t)"
            ),
            {"t": "2026-01-01 00:00:00"},
        )
        connection.execute(
            text(
                "INSERT INTO status_history (lead_id, from_status, to_status, changed_at,"
                " observed_at) VALUES (1, NULL, 'nurture', :d1, :d1),"
                " (1, 'nurture', 'working', :d2, :d2), (1, 'working', 'nurture', :d3, :d3),"
                " (1, 'nurture', 'unqualified', :d4, :d4), (2, NULL, 'working', :d1, :d1)"
            ),
            {
                "d1": "2025-12-01 00:00:00",
                "d2": "2025-12-02 00:00:00",
                "d3": "2025-12-03 00:00:00",
                "d4": "2025-12-04 00:00:00",
            },
        )

    upgrade(empty_engine)

    with empty_engine.connect() as connection:
        rows = connection.execute(text("SELECT id, disqualified_at FROM leads ORDER BY id"))
        found = {i: None if when is None else str(when)[:19] for i, when in rows}
    assert found == {1: "2025-12-03 00:00:00", 2: None}


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

    assert applied == [[], ["0001", "0002", "0003", "0004", "0005", "0006", "0007"]]
    check_schema(engines[0])
    for engine in engines:
        engine.dispose()
