"""What a user sees when something is in the way: a named source, a documented exit code, no
traceback, and the other source still synced."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select

from sync.cli import cli
from sync.demo import write_config
from sync.lease import LEASE_TTL
from sync.store.leases import acquire_lease
from sync.store.models import Run
from sync.store.states import RunState
from tests.e2e.conftest import Harness


def _run(harness: Harness, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, [*args[:1], "-c", str(harness.config), *args[1:]])
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


def _states(harness: Harness) -> dict[str, RunState]:
    with harness.sessions() as session:
        return {run.source or "": run.state for run in session.scalars(select(Run))}


def test_given_another_worker_syncing_a_source_when_sync_runs_then_it_exits_3_naming_the_worker(
    harness: Harness,
) -> None:
    with harness.sessions() as session:
        acquire_lease(session, "sync:salesforce", "daemon-1", "daemon-1@h:7/ab", LEASE_TTL)
        session.commit()

    code, out, err = _run(harness, "sync", "--json", "--wait", "0.2s")

    assert code == 3
    assert "busy: source salesforce is being synced by worker daemon-1 since " in err
    by_source = {r["source"]: r for r in json.loads(out)}
    assert by_source["salesforce"]["state"] == "busy"
    assert by_source["hubspot"]["state"] == "succeeded"  # the other source still ran
    assert harness.box.salesforce.calls["composite"] == 0
    assert _states(harness) == {"hubspot": RunState.SUCCEEDED}


def test_given_the_daily_api_limit_when_sync_runs_then_it_exits_4_and_the_run_is_stopped(
    harness: Harness,
) -> None:
    harness.box.salesforce.faults.script("query", "request_limit", times=3)

    code, _, err = _run(harness, "sync", "--source", "salesforce")

    assert code == 4
    assert err.startswith("stopped: salesforce (127.0.0.1:")
    assert _states(harness) == {"salesforce": RunState.STOPPED}


def test_given_a_failing_source_when_sync_json_runs_then_it_lists_the_failure_with_host_and_exits_1(
    harness: Harness,
) -> None:
    harness.box.hubspot.faults.script("*", "unauthorized", times=5)

    code, out, err = _run(harness, "sync", "--json")

    assert code == 1
    by_source = {r["source"]: r for r in json.loads(out)}
    failed = by_source["hubspot"]
    assert failed["state"] == "failed" and failed["run_id"] is not None
    assert failed["error"].startswith("hubspot (127.0.0.1:")
    assert by_source["salesforce"]["state"] == "succeeded"
    assert "error: hubspot (127.0.0.1:" in err
    assert _states(harness)["hubspot"] is RunState.FAILED


def test_given_unknown_ids_when_resync_runs_then_it_says_which_were_not_found(
    harness: Harness,
) -> None:
    known = harness.box.salesforce.records()[0]["Id"]

    code, out, err = _run(
        harness,
        "resync",
        "--source",
        "salesforce",
        "--ids",
        f"{known},00Q000000000000AAA",
        "--json",
    )

    assert code == 0
    assert json.loads(out)[0]["not_found"] == ["00Q000000000000AAA"]
    assert "not found: 00Q000000000000AAA" in err


def test_given_a_15_character_id_when_resync_runs_then_it_matches_its_18_character_record(
    harness: Harness,
) -> None:
    known = harness.box.salesforce.records()[0]["Id"]

    code, out, _ = _run(harness, "resync", "--source", "salesforce", "--ids", known[:15], "--json")

    assert code == 0 and json.loads(out)[0]["not_found"] == []


def test_given_a_future_since_when_resync_runs_then_it_is_a_usage_error(harness: Harness) -> None:
    later = (datetime.now(UTC) + timedelta(days=30)).strftime("%Y-%m-%d")

    code, _, err = _run(harness, "resync", "--source", "salesforce", "--since", later)

    assert code == 2 and "is in the future" in err


def test_given_a_sqlite_url_with_two_slashes_when_a_verb_runs_then_it_says_how_to_write_it(
    tmp_path: Path,
) -> None:
    config = write_config(tmp_path, "http://127.0.0.1:9", "http://127.0.0.1:9", "sqlite://x.db")

    for verb in ("status", "check"):
        result = CliRunner().invoke(cli, [verb, "-c", str(config)])

        assert result.exit_code == 2 and "Traceback" not in result.output  # bad config
        assert "store.url: a SQLite URL has no host ('x.db' here): three slashes" in result.stderr


def test_given_an_unreachable_store_when_check_connect_runs_then_it_fails_naming_the_store(
    harness: Harness,
) -> None:
    """A wrong password, an unreachable server: check --connect opens the store too."""
    text = harness.config.read_text()
    start = text.index("url: ") + len("url: ")
    end = text.index("\n", start)
    harness.config.write_text(
        text[:start] + "postgresql://leadloop:${PGPASSWORD}@127.0.0.1:9/leadloop" + text[end:]
    )

    result = CliRunner(env={"PGPASSWORD": "wrong-secret"}).invoke(
        cli, ["check", "-c", str(harness.config), "--connect", "--json"]
    )

    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["connected"] == ["hubspot", "salesforce"]
    [problem] = data["problems"]
    assert problem.startswith("store: cannot open database postgresql+psycopg://leadloop:***@")
    assert "wrong-secret" not in result.output


def test_given_a_bad_config_when_check_json_runs_then_the_problems_are_printed_as_json(
    tmp_path: Path,
) -> None:
    config = tmp_path / "leadloop.yaml"
    config.write_text("store:\n  url: sqlite:///x.db\nsources:\n  crm:\n    type: pipedrive\n")

    result = CliRunner().invoke(cli, ["check", "-c", str(config), "--json"])

    assert result.exit_code == 2
    data = json.loads(result.stdout)
    assert data["valid"] is False and data["problems"]
    assert data["problems"][0]["file"] == str(config) and data["problems"][0]["line"] == 5
