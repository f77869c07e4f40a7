"""``leadloop feedback`` and ``leadloop report`` as a user runs them: output and exit codes."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from click.testing import CliRunner

from sync.cli import cli
from sync.store.leases import acquire_lease
from tests.e2e.conftest import Harness


def _run(harness: Harness, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, [*args[:1], "-c", str(harness.config), *args[1:]])
    return result.exit_code, result.stdout, result.stderr


def test_given_synced_crms_when_feedback_runs_then_it_says_what_it_pushed_and_exits_0(
    harness: Harness,
) -> None:
    harness.sync()

    code, out, err = _run(harness, "feedback")

    assert code == 0, err
    assert out.startswith("feedback: run ")
    assert "custom_object: " in out and " sent" in out and "contact_properties: " in out
    assert "HubSpot API calls: " in out


def test_given_feedback_json_and_a_dry_run_then_the_data_says_nothing_was_pushed(
    harness: Harness,
) -> None:
    harness.sync()

    code, out, _ = _run(harness, "feedback", "--dry-run", "--json", "--period", "month")

    data = json.loads(out)
    assert code == 0 and data["dry_run"] and data["run_id"] is None
    assert list(data["records"]) == ["month"] and data["api_calls"] == 0
    assert {p["target"] for p in data["pushes"]} == {"custom_object", "contact_properties"}


def test_given_a_target_that_cannot_be_pushed_then_feedback_exits_1_and_names_it(
    harness: Harness,
) -> None:
    harness.sync()
    harness.box.hubspot.custom_objects = False  # a Professional portal: no custom objects

    code, out, err = _run(harness, "feedback")

    assert code == 1
    assert "custom_object:" in out and "custom objects need an Enterprise portal" in out
    assert "feedback not pushed completely to custom_object; rerun to finish" in err


def test_given_another_worker_running_feedback_then_feedback_exits_3_naming_it(
    harness: Harness,
) -> None:
    with harness.sessions() as session:
        instance = "another-worker:elsewhere:7:c0ffee"
        acquire_lease(session, "feedback", "another-worker", instance, ttl=timedelta(days=1))
        session.commit()

    code, _, err = _run(harness, "feedback", "--no-push")

    assert code == 3
    assert "the feedback step is being run by worker another-worker" in err


def test_given_report_with_html_then_terminal_tables_and_the_page_are_written(
    harness: Harness, tmp_path: Path
) -> None:
    harness.sync()
    page = tmp_path / "out" / "feedback.html"

    code, out, err = _run(harness, "report", "--html", str(page), "--period", "month")

    assert code == 0, err
    assert "Funnel by source" in out and f"HTML report: {page}" in out
    assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_given_a_bad_feedback_key_then_both_verbs_exit_2(harness: Harness) -> None:
    config = harness.config.read_text(encoding="utf-8")
    bad = config.replace("  target: hubspot\n", "  target: hubspot\n  timezone: Mars/Olympus\n")
    harness.config.write_text(bad, encoding="utf-8")

    for verb in ("feedback", "report"):
        code, _, err = _run(harness, verb)
        assert code == 2 and "feedback.timezone: unknown time zone 'Mars/Olympus'" in err
