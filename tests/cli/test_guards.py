"""Guards with a way out: held writes are listed and approved; a dry run leaves no trace."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from sync.cli import cli
from sync.store.models import Run
from tests.e2e.conftest import Harness


def _run(harness: Harness, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, [*args[:1], "-c", str(harness.config), *args[1:]])
    return result.exit_code, result.stdout, result.stderr


def _tight_budget(harness: Harness) -> None:
    text = harness.config.read_text().replace("max_records: 10000", "max_records: 3")
    harness.config.write_text(text)


def test_given_a_tight_change_budget_when_sync_runs_then_writes_wait_and_it_says_how_to_release(
    harness: Harness,
) -> None:
    _tight_budget(harness)

    code, out, err = _run(harness, "sync", "--source", "salesforce", "--json")

    assert code == 5, err
    [result] = json.loads(out)
    run_id, held = result["run_id"], result["counts"]["held"]
    assert result["state"] == "held" and held > 3
    assert f"writes to {held} records" in err and f"`leadloop approve {run_id}`" in err
    assert "`leadloop outbox --source salesforce --state pending`" in err
    assert harness.writes() == 0
    status = _run(harness, "status")[1]
    assert f"writes to {held} records wait for approval" in status
    assert f"`leadloop approve {run_id}`" in status


def test_given_held_writes_when_listed_then_each_shows_old_and_new_value_and_policy(
    harness: Harness,
) -> None:
    _tight_budget(harness)
    _, out, _ = _run(harness, "sync", "--source", "salesforce", "--json")
    run_id = json.loads(out)[0]["run_id"]

    code, out, _ = _run(harness, "outbox", "--run", str(run_id), "--json")

    assert code == 0
    items = json.loads(out)
    assert items and {item["state"] for item in items} == {"pending"}
    cleared = [i for i in items if i["policy"] == "clear_reasons_on_exit"]
    assert cleared and all(i["old"] and i["new"] is None for i in cleared)
    code, text, _ = _run(harness, "outbox", "--source", "salesforce", "--csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert code == 0 and len(rows) == len(items)
    code, human, _ = _run(harness, "outbox", "--state", "pending")
    assert "-> (empty)  [clear_reasons_on_exit" in human


def test_given_held_writes_when_approved_then_they_are_written_as_an_undoable_run(
    harness: Harness,
) -> None:
    _tight_budget(harness)
    _, out, _ = _run(harness, "sync", "--source", "salesforce", "--json")
    run_id = json.loads(out)[0]["run_id"]

    code, out, err = _run(harness, "approve", str(run_id), "--json")

    assert code == 0, err
    result = json.loads(out)
    assert result["sent"] > 3 and harness.writes() > 0
    assert _run(harness, "outbox", "--state", "pending", "--json")[1].strip() == "[]"
    code, out, _ = _run(harness, "undo", str(result["run_id"]))
    assert code == 0 and f"run {result['run_id']}: reverted" in out


def test_given_a_run_that_held_nothing_when_approved_then_it_is_a_usage_error(
    harness: Harness,
) -> None:
    _, out, _ = _run(harness, "sync", "--source", "hubspot", "--json")
    run_id = json.loads(out)[0]["run_id"]

    code, _, err = _run(harness, "approve", str(run_id))

    assert code == 2 and f"run {run_id} held no writes for approval" in err
    assert "no run 999" in _run(harness, "approve", "999")[2]


@pytest.mark.postgres
def test_given_a_dry_run_when_a_real_sync_follows_then_the_dry_run_used_no_run_id(
    any_store_harness: Harness,
) -> None:
    """On PostgreSQL a rolled-back insert still consumes its sequence value."""
    harness = any_store_harness
    assert _run(harness, "sync", "--dry-run")[0] == 0

    code, out, _ = _run(harness, "sync", "--source", "salesforce", "--json")

    assert code == 0 and json.loads(out)[0]["run_id"] == 1
    with harness.sessions() as session:
        assert list(session.scalars(select(Run.dry_run))) == [False]
