"""``leadloop config schema``: the checked-in schema is what the command writes; a missing
folder is a usage error, not a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from sync.cli import cli

REPO = Path(__file__).resolve().parents[2]


def test_given_the_repository_when_schema_is_written_to_stdout_then_it_is_the_checked_in_one() -> (
    None
):
    result = CliRunner().invoke(cli, ["config", "schema", "-o", "-"])

    assert result.exit_code == 0, result.output
    assert result.stdout == (REPO / "config" / "leadloop.schema.json").read_text(encoding="utf-8")


def test_given_a_folder_without_config_when_schema_is_written_then_exit_2_naming_the_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    result = CliRunner().invoke(cli, ["config", "schema"])

    assert result.exit_code == 2
    assert f"there is no folder {tmp_path / 'config'}" in result.stderr
    assert "Traceback" not in result.output


def test_given_a_file_path_when_schema_is_written_then_the_file_holds_it(tmp_path: Path) -> None:
    target = tmp_path / "schema.json"

    result = CliRunner().invoke(cli, ["config", "schema", "-o", str(target)])

    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8").startswith("{")
