"""Every broken config in the bad-input catalogue gives exactly the documented messages."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sync.config.settings import ConfigError, load_settings
from tests.config.cases import CASES, Case


def write_case(case: Case, folder: Path) -> Path:
    """Write the case's config (and any mapping/catalogue files) into ``folder``."""
    path = folder / "leadloop.yaml"
    path.write_text(case.config, encoding="utf-8")
    for name, text in case.files.items():
        (folder / name).write_text(text, encoding="utf-8")
    for name in case.fifos:
        os.mkfifo(folder / name)
    return path


def expected(case: Case, folder: Path) -> list[str]:
    return [message.replace("{dir}", str(folder)) for message in case.messages]


def test_the_catalogue_covers_at_least_25_distinct_cases() -> None:
    assert len({case.id for case in CASES}) == len(CASES) >= 25


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_given_a_broken_config_when_loaded_then_every_problem_is_reported_exactly(
    case: Case, tmp_path: Path
) -> None:
    path = write_case(case, tmp_path)

    with pytest.raises(ConfigError) as caught:
        load_settings(path, env=case.env)

    assert [str(issue) for issue in caught.value.errors] == expected(case, tmp_path)
    assert str(caught.value) == "\n".join(expected(case, tmp_path))
    assert not (tmp_path / "leadloop.db").exists()


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_given_a_broken_config_then_no_secret_value_appears_in_the_messages(
    case: Case, tmp_path: Path
) -> None:
    path = write_case(case, tmp_path)

    with pytest.raises(ConfigError) as caught:
        load_settings(path, env=case.env)

    for secret in case.env.values():
        assert secret not in str(caught.value)
    assert "hunter2" not in str(caught.value)
