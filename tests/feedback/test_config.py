"""The ``feedback:`` section: time zone, week start, schedule, targets and rule names."""

from __future__ import annotations

from pathlib import Path

import pytest

from sync.config.settings import ConfigError, load_settings

STORE = "store:\n  url: sqlite:///leadloop.db\n"


def _load(tmp_path: Path, feedback: str) -> object:
    path = tmp_path / "leadloop.yaml"
    path.write_text(STORE + "feedback:\n" + feedback, encoding="utf-8")
    return load_settings(path, env={})


def _problems(tmp_path: Path, feedback: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, feedback)
    return [str(issue).replace(str(tmp_path), "{dir}") for issue in caught.value.errors]


def test_given_no_feedback_keys_then_weeks_and_months_start_monday_in_utc(tmp_path: Path) -> None:
    settings = load_settings(_write(tmp_path, STORE), env={})

    feedback = settings.feedback
    assert (feedback.timezone, feedback.week_start_index, feedback.schedule) == ("UTC", 0, None)
    assert feedback.all_periods == ("week", "month")
    assert feedback.custom_object.create and feedback.contact_properties.group == "leadloop"


def test_given_a_zone_a_week_start_and_a_schedule_then_they_are_read(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        STORE + "feedback:\n  timezone: Europe/Berlin\n  week_start: sunday\n"
        "  periods: [month]\n  recommendation_period: day\n  schedule: {every: 1d}\n",
    )
    feedback = load_settings(path, env={}).feedback

    assert (feedback.timezone, feedback.week_start_index) == ("Europe/Berlin", 6)
    assert feedback.all_periods == ("month", "day")
    assert feedback.schedule is not None and feedback.schedule.every is not None


def test_given_an_unknown_time_zone_then_the_key_and_line_are_named(tmp_path: Path) -> None:
    assert _problems(tmp_path, "  timezone: Europe/Atlantis\n") == [
        "{dir}/leadloop.yaml:4: feedback.timezone: unknown time zone 'Europe/Atlantis' "
        "(an IANA name such as UTC or Europe/Berlin)"
    ]


def test_given_a_misspelt_week_start_then_the_choices_are_listed(tmp_path: Path) -> None:
    [problem] = _problems(tmp_path, "  week_start: mon\n")

    assert problem.startswith("{dir}/leadloop.yaml:4: feedback.week_start: Input should be")
    assert "'sunday'" in problem


def test_given_two_rules_with_one_name_then_the_name_is_refused(tmp_path: Path) -> None:
    rule = "    - name: same\n      when: {reason: competitor}\n      then: x\n"
    [problem] = _problems(tmp_path, "  recommendations:\n" + rule + rule)

    assert "recommendation name 'same' is used twice" in problem


def _write(folder: Path, text: str) -> Path:
    path = folder / "leadloop.yaml"
    path.write_text(text, encoding="utf-8")
    return path
