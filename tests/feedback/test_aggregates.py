"""Reason aggregates and the overlap, against numbers computed by hand (tests/feedback/dataset.py),
on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from sync.domain import Status
from sync.feedback.aggregate import Overlap, counted
from sync.store.aggregates import ReasonRow
from tests.feedback.dataset import NOW
from tests.feedback.support import settings_for

BERLIN = "  timezone: Europe/Berlin\n"
SUMMER = ("salesforce", "Webinar", "Summer")
SPRING = ("salesforce", "Webinar", "Spring")
PAID = ("hubspot", "PAID_SEARCH", "(none)")


def row(period: str, group: tuple[str, str, str], reason: str, *numbers: float) -> tuple:
    return (period, *group, reason, *numbers)


# period, group, reason, count, group's disqualified, share, nurture, unqualified, reachable,
# reachable share, email valid / invalid share, phone valid / invalid share
WEEKS_IN_BERLIN = [
    row("2026-02-23", SUMMER, "bad_timing", 1, 3, 1 / 3, 1, 0, 1, 1.0, 0.0, 0.0, 1.0, 0.0),
    row("2026-02-23", SUMMER, "competitor", 1, 3, 1 / 3, 0, 1, 1, 1.0, 1.0, 0.0, 0.0, 1.0),
    row("2026-02-23", SUMMER, "wrong_persona", 1, 3, 1 / 3, 0, 1, 1, 1.0, 1.0, 0.0, 0.0, 0.0),
    row("2026-03-02", PAID, "unresponsive", 1, 1, 1.0, 1, 0, 1, 1.0, 1.0, 0.0, 0.0, 0.0),
    row("2026-03-02", SPRING, "missing", 1, 4, 0.25, 0, 1, 1, 1.0, 1.0, 0.0, 0.0, 0.0),
    row("2026-03-02", SPRING, "no_budget_now", 1, 4, 0.25, 1, 0, 1, 1.0, 1.0, 0.0, 0.0, 0.0),
    row("2026-03-02", SPRING, "unresponsive", 2, 4, 0.5, 2, 0, 1, 0.5, 0.5, 0.5, 0.5, 0.0),
    row("2026-03-09", SPRING, "unmapped", 1, 1, 1.0, 0, 1, 1, 1.0, 1.0, 0.0, 0.0, 0.0),
]


def rounded(values: tuple) -> tuple:
    """Shares to 9 places: SQLite and PostgreSQL divide in binary floating point alike, but a
    hand-written 1/3 is the only exact third."""
    return tuple(round(v, 9) if isinstance(v, float) else v for v in values)


def _reasons(session: Session, settings: object, kind: str, **options: object) -> list[tuple]:
    with counted(session, settings, NOW, **options) as found:  # type: ignore[arg-type]
        return [rounded(tuple(r)) for r in found.reasons(kind)]  # type: ignore[arg-type]


def test_given_the_dataset_when_aggregated_by_week_in_berlin_then_every_number_is_as_computed(
    stored: Session, tmp_path: Path
) -> None:
    settings = settings_for(tmp_path, "sqlite://", BERLIN)

    assert _reasons(stored, settings, "week") == [rounded(r) for r in WEEKS_IN_BERLIN]


def test_given_weeks_in_utc_then_the_sunday_night_lead_falls_in_the_week_before(
    stored: Session, tmp_path: Path
) -> None:
    settings = settings_for(tmp_path, "sqlite://", "  timezone: UTC\n")

    unmapped = [r for r in _reasons(stored, settings, "week") if r[4] == "unmapped"]

    assert [(r[0], r[5], r[6]) for r in unmapped] == [("2026-03-02", 1, 5)]


def test_given_months_and_a_since_day_then_only_later_disqualifications_count(
    stored: Session, tmp_path: Path
) -> None:
    settings = settings_for(tmp_path, "sqlite://", BERLIN)
    from datetime import date

    months = _reasons(stored, settings, "month")
    since = _reasons(stored, settings, "month", since=date(2026, 3, 1))

    assert {(r[0], r[1], r[3]): r[6] for r in months} == {
        ("2026-02-01", "salesforce", "Summer"): 3,
        ("2026-03-01", "hubspot", "(none)"): 1,
        ("2026-03-01", "salesforce", "Spring"): 5,
    }
    assert {r[0] for r in since} == {"2026-03-01"}


def test_given_one_person_in_both_crms_then_each_counts_it_once_and_the_overlap_says_so(
    stored: Session, tmp_path: Path
) -> None:
    settings = settings_for(tmp_path, "sqlite://", BERLIN)

    with counted(stored, settings, NOW) as found:
        overlap = found.overlap()

    assert overlap == Overlap(1, {"hubspot": 1, "salesforce": 1})


def test_given_a_code_renamed_in_the_catalogue_then_past_periods_count_under_the_new_code(
    stored: Session, tmp_path: Path
) -> None:
    from mappings.catalogue_loader import DEFAULT_CATALOGUE

    text = DEFAULT_CATALOGUE.read_text(encoding="utf-8")
    renamed = (  # the code is renamed; the CRM values (hubspot: unresponsive) stay as they are
        text.replace("  unresponsive:\n", "  no_reply:\n")
        .replace("[unresponsive]", "[no_reply]")
        .replace(", unresponsive]", ", no_reply]")
    )
    (tmp_path / "catalogue.yaml").write_text(renamed, encoding="utf-8")
    settings = settings_for(tmp_path, "sqlite://", BERLIN, catalogue="catalogue.yaml")

    reasons = {(r[0], r[1], r[4]): r[5] for r in _reasons(stored, settings, "week")}

    assert reasons[("2026-03-02", "salesforce", "no_reply")] == 2
    assert reasons[("2026-03-02", "hubspot", "no_reply")] == 1
    assert not any(code == "unresponsive" for _, _, code in reasons)


def test_given_an_empty_store_then_there_is_nothing_to_count_and_nothing_fails(
    session: Session, tmp_path: Path
) -> None:
    settings = settings_for(tmp_path, "sqlite://", BERLIN)

    with counted(session, settings, NOW) as found:
        assert (found.reasons("week"), found.overlap()) == ([], Overlap(0, {}))
        assert found.funnel(["source"]) == []
        assert found.owners("week") == []


def test_reason_rows_name_their_group() -> None:
    reason = ReasonRow(*WEEKS_IN_BERLIN[0])

    assert reason.group == SUMMER


def test_given_a_week_across_months_when_counted_without_days_then_weeks_and_months_are_as_by_day(
    stored: Session, tmp_path: Path
) -> None:
    """Without days the sums are kept per part of a week within one month: the week of 23 Feb
    (Summer) ends on Sunday 1 Mar, so its leads sit in two parts, rolled up alike."""
    from tests.feedback.dataset import at, store_stories, story

    summer = {"lead_source": "Webinar", "campaign": "Summer", "owner": "rep-b"}
    store_stories(
        stored,
        story("b4", [(Status.NEW, at(2, 20)), (Status.NURTURE, at(3, 1))],
              nurture_reason="Bad Timing", email="b4@example.com", **summer),
    )  # fmt: skip
    settings = settings_for(tmp_path, "sqlite://", BERLIN)

    by_day = {kind: _reasons(stored, settings, kind) for kind in ("week", "month")}
    counted_for = {"kinds": ("week", "month")}
    parts = {kind: _reasons(stored, settings, kind, **counted_for) for kind in ("week", "month")}

    assert parts == by_day
    week = [r for r in parts["week"] if r[:4] == ("2026-02-23", *SUMMER)]
    assert {r[4]: (r[5], r[6]) for r in week} == {
        "bad_timing": (2, 4), "competitor": (1, 4), "wrong_persona": (1, 4)
    }  # fmt: skip
    with (
        counted(stored, settings, NOW, kinds=("week",)) as found,
        pytest.raises(ValueError, match="reasons per month were not counted"),
    ):
        found.reasons("month")
