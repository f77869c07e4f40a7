"""The pipeline verbs as a user runs them: exit codes, output, and what they change."""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path

from click.testing import CliRunner

from connectors.sandbox.runner import known_quirks
from sync.cli import cli
from tests.e2e.conftest import Harness


def _run(harness: Harness, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, [*args[:1], "-c", str(harness.config), *args[1:]])
    return result.exit_code, result.stdout, result.stderr


def test_given_a_config_when_sync_dry_run_then_the_diff_is_printed_and_nothing_written(
    harness: Harness,
) -> None:
    code, out, _ = _run(harness, "sync", "--dry-run")

    assert code == 0
    assert "changes would be written" in out
    assert "Unqualified_Reason__c: " in out and "-> (clear)  [clear_reasons_on_exit]" in out
    assert harness.writes() == 0


def test_given_a_sync_when_status_runs_then_it_shows_cursors_outbox_and_findings(
    harness: Harness,
) -> None:
    assert _run(harness, "sync")[0] == 0

    code, out, _ = _run(harness, "status", "--json")

    assert code == 0
    data = json.loads(out)
    by_source = {s["source"]: s for s in data["sources"]}
    assert by_source["salesforce"]["cursor"] is not None
    assert by_source["salesforce"]["outbox"]["sent"] > 0
    assert by_source["hubspot"]["findings"]["require_reason"] > 0
    assert by_source["salesforce"]["runs"][0]["state"] == "succeeded"


def test_given_ids_when_resync_runs_then_only_those_records_are_pulled(harness: Harness) -> None:
    ids = [row["Id"] for row in harness.box.salesforce.records()[:3]]

    code, out, _ = _run(
        harness, "resync", "--source", "salesforce", "--ids", ",".join(ids), "--json"
    )

    assert code == 0
    assert json.loads(out)[0]["counts"]["pulled"] == 3


def test_given_two_resync_modes_when_resync_runs_then_it_is_a_usage_error(
    harness: Harness,
) -> None:
    code, _, err = _run(harness, "resync", "--source", "salesforce", "--full", "--ids", "x")

    assert code == 2
    assert "exactly one of --full, --since or --ids" in err


def test_given_an_unknown_source_when_sync_runs_then_it_is_a_usage_error(harness: Harness) -> None:
    code, _, err = _run(harness, "sync", "--source", "marketo")

    assert code == 2
    assert "no source named marketo (configured: hubspot, salesforce)" in err


def test_given_a_run_when_undo_runs_then_it_reports_what_it_reverted(harness: Harness) -> None:
    code, out, _ = _run(harness, "sync", "--source", "salesforce", "--json")
    run_id = json.loads(out)[0]["run_id"]

    code, out, err = _run(harness, "undo", str(run_id))

    assert code == 0, err
    assert f"run {run_id}: reverted" in out
    assert "the next sync applies the policies again" in out


def test_given_a_fresh_machine_when_demo_runs_then_it_tells_the_story_and_leaves_nothing_running(
    tmp_path: Path,
) -> None:
    before = threading.active_count()

    # when: the demo runs as `make demo` runs it (its default org)
    result = CliRunner().invoke(cli, ["demo", "--dir", str(tmp_path)])

    assert result.exit_code == 0, result.output
    assert "fixed in salesforce:" in result.stdout and "fixed in hubspot:" in result.stdout
    assert "flagged for a human:" in result.stdout
    assert f"leadloop status -c {tmp_path}/leadloop.yaml" in result.stdout
    assert "feedback to marketing (pushed to HubSpot):" in result.stdout
    assert "custom_object: " in result.stdout and "contact_properties: " in result.stdout
    assert re.search(r"\[(open|closed)\] unresponsive is \d+% of \w+'s disqualified", result.stdout)
    assert f"report: {tmp_path}/report.html" in result.stdout
    assert (tmp_path / "report.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert threading.active_count() == before


def test_given_a_quirk_switched_off_when_demo_runs_then_it_runs_on_emulators_without_it(
    tmp_path: object,
) -> None:
    quirks = ["--quirk-off", "salesforce.reason_required_rule"]
    quirks += ["--quirk-off", "hubspot.rate_limits"]
    result = CliRunner().invoke(
        cli, ["demo", "--leads", "30", "--contacts", "20", "--dir", str(tmp_path), *quirks]
    )

    assert result.exit_code == 0, result.output
    assert "fixed in salesforce:" in result.stdout


def test_given_an_unknown_quirk_when_demo_runs_then_exit_2_listing_the_known_ones() -> None:
    result = CliRunner().invoke(cli, ["demo", "--quirk-off", "salesforce.kind_emulator"])

    assert result.exit_code == 2
    assert "salesforce.whole_second_stamps" in result.stderr


def test_given_the_emulators_then_every_quirk_is_named_with_its_emulator() -> None:
    names = known_quirks()

    assert {name.split(".")[0] for name in names} == {"salesforce", "hubspot"}
    assert all("http" in text for text in names.values())  # each cites the vendor's page


def test_given_running_crms_when_check_connect_then_both_sources_are_reached(
    harness: Harness,
) -> None:
    code, out, _ = _run(harness, "check", "--connect", "--json")

    assert code == 0
    assert json.loads(out)["connected"] == ["hubspot", "salesforce"]


def test_given_a_wrong_password_when_check_connect_then_it_fails_without_the_secret(
    harness: Harness,
) -> None:
    (harness.config.parent / "secrets" / "salesforce-password").write_text("hunter2-wrong\n")

    code, out, err = _run(harness, "check", "--connect")

    assert code == 1
    assert "salesforce" in err.lower() and "hunter2-wrong" not in err + out
