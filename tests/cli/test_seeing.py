"""What an operator sees: findings, one lead's story, status with schedule and API budget,
progress lines, JSON log lines that name the run, the source and the stage."""

from __future__ import annotations

import csv
import io
import json

from click.testing import CliRunner

from sync.cli import cli
from tests.e2e.conftest import Harness
from tests.scheduler.conftest import schedule


def _run(harness: Harness, *args: str, root: tuple[str, ...] = ()) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, [*root, *args[:1], "-c", str(harness.config), *args[1:]])
    return result.exit_code, result.stdout, result.stderr


def test_given_a_sync_when_findings_are_listed_then_they_filter_by_source_policy_and_lead(
    harness: Harness,
) -> None:
    assert _run(harness, "sync")[0] == 0

    code, out, _ = _run(
        harness, "findings", "--source", "hubspot", "--policy", "require_reason", "--json"
    )

    rows = json.loads(out)
    assert code == 0 and rows
    assert {(r["source"], r["policy"]) for r in rows} == {("hubspot", "require_reason")}
    lead = rows[0]["record"]
    code, text, _ = _run(harness, "findings", "--lead", lead, "--csv")
    assert code == 0 and {r["record"] for r in csv.DictReader(io.StringIO(text))} == {lead}


def test_given_a_synced_lead_when_shown_then_history_findings_and_outbox_items_are_there(
    harness: Harness,
) -> None:
    assert _run(harness, "sync", "--source", "salesforce")[0] == 0
    lead = harness.sf_leads("lingering_unqualified_reason")[0]["Id"]

    code, out, _ = _run(harness, "lead", "salesforce", lead, "--json")

    assert code == 0
    data = json.loads(out)
    assert data["record"] == lead and data["history"][0]["from"] is None
    assert any(
        i["policy"] == "clear_reasons_on_exit" and i["state"] == "sent" for i in data["outbox"]
    )
    code, human, _ = _run(harness, "lead", "salesforce", lead)
    assert "status history:" in human and "clear_reasons_on_exit" in human
    code, _, err = _run(harness, "lead", "salesforce", "00Q000000000000AAA")
    assert code == 2 and "has no lead 00Q000000000000AAA" in err


def test_given_scheduled_sources_when_status_runs_then_it_shows_schedule_next_run_and_api_budget(
    harness: Harness,
) -> None:
    schedule(harness.config, salesforce="{every: 15m}", hubspot='{cron: "0 * * * *"}')
    assert _run(harness, "sync")[0] == 0

    code, out, _ = _run(harness, "status", "--json")

    by_source = {s["source"]: s for s in json.loads(out)["sources"]}
    sf, hs = by_source["salesforce"], by_source["hubspot"]
    assert code == 0
    assert (sf["schedule"], hs["schedule"]) == ("every 15m", "0 * * * *")
    assert hs["next_run_at"].endswith(":00:00+00:00")
    assert sf["last_outcome"]["state"] == "succeeded" and sf["held_by"] is None
    api = sf["api"]
    assert api["calls_today"] == api["calls_last_run"] > 0
    assert api["org_limit"] and 0 < api["org_remaining"] < api["org_limit"]
    assert api["budget_share"] == harness.settings.api_budget_share("salesforce")
    code, human, _ = _run(harness, "status")
    assert "schedule: every 15m, next run " in human and "calls today" in human


def test_given_json_logs_when_sync_runs_then_each_run_line_names_run_source_and_stage(
    harness: Harness,
) -> None:
    code, _, err = _run(harness, "sync", "--source", "salesforce", root=("--log-format", "json"))

    assert code == 0
    lines = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    progress = [line for line in lines if "pulling" in line["message"]]
    assert progress and progress[0]["source"] == "salesforce" and progress[0]["stage"] == "pull"
    assert progress[0]["run_id"] == 1
    assert " of about " in progress[0]["message"]  # the API's total, for progress


def test_given_a_sync_in_which_nothing_changed_when_status_runs_then_it_shows_its_calls(
    harness: Harness,
) -> None:
    """Three scheduled syncs: the first writes back, the second reads those writes once, the
    third finds nothing to do. Status tells what that last one cost, per source."""
    for _ in range(3):
        assert _run(harness, "sync")[0] == 0
        harness.clock.advance(minutes=15)

    code, out, _ = _run(harness, "status", "--json")

    by_source = {s["source"]: s for s in json.loads(out)["sources"]}
    sf, hs = by_source["salesforce"]["api"]["last_run"], by_source["hubspot"]["api"]["last_run"]
    assert code == 0
    assert (sf["calls"], sf["by_operation"], sf["read"], sf["changed"]) == (
        2,
        {"login": 1, "query": 1},
        0,
        False,
    )
    assert (hs["calls"], hs["by_operation"], hs["read"], hs["changed"]) == (
        1,
        {"search": 1},
        0,
        False,
    )
    code, human, _ = _run(harness, "status")
    assert f"last run {sf['id']} (sync): 2 API calls (login 1, query 1), read 0 records" in human
    assert "changed nothing" in human
