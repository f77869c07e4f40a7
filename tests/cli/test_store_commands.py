"""Store verbs and guards: db upgrade, an out-of-date schema, a foreign or corrupt file."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from click.testing import CliRunner

from sync.cli import cli
from sync.demo import write_config


def _config(tmp_path: Path, store: Path) -> Path:
    return write_config(tmp_path, "http://127.0.0.1:9", "http://127.0.0.1:9", f"sqlite:///{store}")


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_given_a_new_store_when_status_runs_then_it_says_which_command_creates_it(
    tmp_path: Path,
) -> None:
    config = _config(tmp_path, tmp_path / "leadloop.db")

    code, _, err = _run("status", "-c", str(config))

    assert code == 1
    assert f"leadloop db upgrade -c {config}" in err


def test_given_db_upgrade_when_status_runs_then_every_source_is_listed_as_never_synced(
    tmp_path: Path,
) -> None:
    config = _config(tmp_path, tmp_path / "leadloop.db")

    code, out, _ = _run("db", "upgrade", "-c", str(config))
    assert code == 0 and "applied" in out
    assert "already up to date" in _run("db", "upgrade", "-c", str(config))[1]

    code, out, _ = _run("status", "-c", str(config), "--json")
    assert code == 0
    assert [(s["source"], s["cursor"], s["leads"]) for s in json.loads(out)["sources"]] == [
        ("hubspot", None, 0),
        ("salesforce", None, 0),
    ]


def test_given_a_text_file_as_store_when_upgrading_then_the_error_names_the_file(
    tmp_path: Path,
) -> None:
    store = tmp_path / "leadloop.db"
    store.write_text("these are my notes, not a database\n" * 100)

    code, _, err = _run("db", "upgrade", "-c", str(_config(tmp_path, store)))

    assert code == 1
    assert str(store) in err and "Traceback" not in err
    assert store.read_text().startswith("these are my notes")


def test_given_another_apps_database_when_upgrading_then_it_is_refused_untouched(
    tmp_path: Path,
) -> None:
    store = tmp_path / "leadloop.db"
    with sqlite3.connect(store) as connection:
        connection.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")

    code, _, err = _run("db", "upgrade", "-c", str(_config(tmp_path, store)))

    assert code == 1
    assert str(store) in err
    with sqlite3.connect(store) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    assert tables == {"invoices"}
