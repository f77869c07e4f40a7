"""``leadloop check -c FILE`` on the bad-input catalogue: exit 2, every message on stderr,
nothing written to the configured store."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from sync.cli import cli
from tests.config.cases import CASES, ENV, Case
from tests.config.test_bad_configs import expected, write_case


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_given_a_broken_config_when_checked_then_exit_2_with_the_messages_on_stderr(
    case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_case(case, tmp_path)
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    for name, value in case.env.items():
        monkeypatch.setenv(name, value)

    result = CliRunner().invoke(cli, ["check", "-c", str(path)])

    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == expected(case, tmp_path)
    assert result.stdout == ""
    assert not (tmp_path / "leadloop.db").exists()


def test_given_a_valid_config_when_checked_then_exit_0(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "leadloop.yaml"
    path.write_text("store:\n  url: sqlite:///leadloop.db\n", encoding="utf-8")

    result = CliRunner().invoke(cli, ["check", "-c", str(path)])

    assert result.exit_code == 0, result.output
    assert not (tmp_path / "leadloop.db").exists()


def test_given_a_device_as_the_config_when_checked_then_exit_2_without_reading_it() -> None:
    result = CliRunner().invoke(cli, ["check", "-c", "/dev/zero"])

    assert result.exit_code == 2, result.output
    assert result.stderr == (
        "/dev/zero: cannot read file: it is a character device, not a regular file\n"
    )


def test_given_a_named_pipe_as_the_config_when_checked_then_exit_2_without_waiting(
    tmp_path: Path,
) -> None:
    os.mkfifo(tmp_path / "leadloop.yaml")

    result = CliRunner().invoke(cli, ["check", "-c", str(tmp_path / "leadloop.yaml")])

    assert result.exit_code == 2, result.output
    assert result.stderr == (
        f"{tmp_path}/leadloop.yaml: cannot read file: "
        "it is a named pipe (FIFO), not a regular file\n"
    )
