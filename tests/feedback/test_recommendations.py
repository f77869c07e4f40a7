"""Recommendations: rules judged on each complete period once, episodes opened, held and
closed, numbers behind each, and the share before and after (store: SQLite, PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from sync.feedback.config import Recommendation, RecommendationWhen
from sync.feedback.effects import effect
from sync.feedback.periods import Calendar
from sync.feedback.recommend import Judge, holds, message, rule_key, table_of
from sync.store.aggregates import ReasonRow
from sync.store.recommendations import episodes

WEBINAR = ("salesforce", "Webinar", "Spring")
EVENT = ("salesforce", "Event", "Expo")
CALENDAR = Calendar.of("UTC")
#: Tuesday 24 March 2026: the last complete week is the one of 16 March
NOW = datetime(2026, 3, 24, 9, 0, tzinfo=UTC)
RULE = Recommendation(
    name="unresponsive_webinars",
    when=RecommendationWhen(reason="unresponsive", min_share=0.3, min_count=10),
    then="{reason} is {share:.0%} of {lead_source} / {campaign} in the {period} ({count} leads)",
)


def reason(
    period: str, group: tuple[str, str, str], code: str, leads: int, disqualified: int,
    valid: float = 1.0,
) -> ReasonRow:  # fmt: skip
    share = leads / disqualified
    return ReasonRow(period, *group, code, leads, disqualified, share, leads, 0,
                     round(leads * valid), valid, valid, 0.0, 0.0, 0.0)  # fmt: skip


def weeks(*shares: tuple[str, int, int]) -> list[ReasonRow]:
    """Webinar rows: (week, unresponsive leads, disqualified leads)."""
    return [reason(week, WEBINAR, "unresponsive", n, total) for week, n, total in shares]


def judge(session: Session, rows: list[ReasonRow], now: datetime = NOW) -> tuple[int, int]:
    judged = Judge(session, CALENDAR, "week", now).run([RULE], table_of(rows))
    session.flush()
    return judged.opened, judged.closed


def test_given_a_share_over_the_threshold_then_the_rule_holds_with_its_numbers(
    session: Session,
) -> None:
    rows = weeks(("2026-03-02", 4, 20), ("2026-03-09", 12, 30), ("2026-03-16", 15, 30))

    assert judge(session, rows) == (1, 0)

    [episode] = episodes(session, "week", [rule_key(RULE)])
    assert (episode.first_period, episode.last_period, episode.closed_period) == (
        "2026-03-09", "2026-03-16", None,
    )  # fmt: skip
    assert episode.message == (
        "unresponsive is 50% of Webinar / Spring in the week of 2026-03-16 (15 leads)"
    )
    assert episode.evidence["sample"] == 30 and episode.evidence["count"] == 15


def test_given_the_rule_stops_holding_then_its_episode_closes_and_a_later_one_opens_anew(
    session: Session,
) -> None:
    rows = weeks(
        ("2026-02-16", 12, 30), ("2026-02-23", 5, 30),  # held, then not: closed on 23 Feb
        ("2026-03-02", 10, 20), ("2026-03-09", 11, 22), ("2026-03-16", 10, 25),
    )  # fmt: skip

    assert judge(session, rows) == (2, 1)

    found = [(e.first_period, e.last_period, e.closed_period)
             for e in episodes(session, "week", [rule_key(RULE)])]  # fmt: skip
    assert found == [("2026-03-02", "2026-03-16", None), ("2026-02-16", "2026-02-16", "2026-02-23")]


def test_given_periods_already_judged_when_judged_again_then_nothing_changes(
    session: Session,
) -> None:
    rows = weeks(("2026-03-09", 12, 30), ("2026-03-16", 15, 30))
    judge(session, rows)

    assert judge(session, rows) == (0, 0)
    # a week later the rule no longer holds: the episode closes in that week
    later = [*rows, *weeks(("2026-03-23", 2, 30))]
    assert judge(session, later, NOW + timedelta(days=7)) == (0, 1)
    [episode] = episodes(session, "week", [rule_key(RULE)])
    assert episode.closed_period == "2026-03-23"


def test_given_the_current_week_then_it_is_not_judged_until_it_is_complete(
    session: Session,
) -> None:
    assert judge(session, weeks(("2026-03-23", 30, 30))) == (0, 0)


@pytest.mark.parametrize(
    ("when", "row", "expected"),
    [
        ({"min_count": 10}, reason("w", WEBINAR, "unresponsive", 9, 9), False),  # sample < 10
        ({"min_share": 0.5}, reason("w", WEBINAR, "unresponsive", 10, 21), False),
        ({"min_share": 0.5}, reason("w", WEBINAR, "unresponsive", 10, 20), True),
        ({"lead_source": "Event"}, reason("w", WEBINAR, "unresponsive", 10, 20), False),
        ({"lead_source": "Event"}, reason("w", EVENT, "unresponsive", 10, 20), True),
        ({"min_valid_contact_share": 0.8}, reason("w", EVENT, "unresponsive", 10, 20, 0.7),
         False),
        ({"min_valid_contact_share": 0.8}, reason("w", EVENT, "unresponsive", 10, 20, 0.8),
         True),
    ],
)  # fmt: skip
def test_a_rule_holds_only_when_every_threshold_is_reached(
    when: dict[str, object], row: ReasonRow, expected: bool
) -> None:
    rule = Recommendation(
        when=RecommendationWhen.model_validate({"reason": "unresponsive", **when}), then="x"
    )

    assert holds(rule, row.group, row) is expected


def test_given_a_format_the_numbers_do_not_fit_then_the_message_says_so() -> None:
    rule = Recommendation(when=RecommendationWhen(reason="unresponsive"), then="{share:d}!")

    text = message(rule, reason("w", WEBINAR, "unresponsive", 1, 2), "week of w")

    assert text.startswith("{share:d}! (cannot fill in the numbers:")


def test_a_rule_without_a_name_is_known_by_its_thresholds_not_its_wording() -> None:
    when = RecommendationWhen(reason="unresponsive", min_share=0.3)

    assert rule_key(Recommendation(when=when, then="a")) == rule_key(
        Recommendation(when=when, then="b")
    )
    assert rule_key(Recommendation(when=when, then="a")) != rule_key(
        Recommendation(when=when.model_copy(update={"min_share": 0.4}), then="a")
    )


def test_given_an_episode_then_before_and_after_pool_the_periods_around_its_start() -> None:
    rows = weeks(
        ("2026-02-09", 6, 20), ("2026-02-23", 4, 10),  # before: 10/30 (none on 16 Feb)
        ("2026-03-02", 12, 30),  # raised
        ("2026-03-09", 3, 20), ("2026-03-16", 1, 20), ("2026-03-23", 9, 10),  # after: 4/40
    )  # fmt: skip
    table = table_of(rows)

    found = effect(table, CALENDAR, "week", (WEBINAR, "unresponsive", "2026-03-02"), 3,
                   CALENDAR.last_complete("week", NOW))  # fmt: skip

    assert (found.before.leads, found.before.disqualified) == (10, 30)
    assert found.after.periods == ("2026-03-09", "2026-03-16")  # 23 Mar is not complete
    assert (found.after.leads, found.after.disqualified) == (4, 40)
    assert found.change == pytest.approx(0.1 - 1 / 3)


BY_LEAD_SOURCE = Recommendation(
    name="unresponsive_by_lead_source",
    when=RecommendationWhen(reason="unresponsive", min_share=0.3, min_count=10),
    then="{reason} is {share:.0%} of {lead_source} / {campaign} ({count} of {period})",
    by=("lead_source",),
)


def test_given_campaigns_too_small_alone_when_a_rule_pools_them_then_it_holds_on_their_sum(
    session: Session,
) -> None:
    # given: one week, two Webinar campaigns each under the sample of 10, and an Event
    week = "2026-03-16"
    spring, autumn = WEBINAR, ("salesforce", "Webinar", "Autumn")
    rows = [
        reason(week, spring, "unresponsive", 6, 12, valid=1.0),
        reason(week, spring, "competitor", 6, 12),
        reason(week, autumn, "unresponsive", 5, 8, valid=0.6),
        reason(week, EVENT, "unresponsive", 9, 30),
    ]

    # when: the per-campaign rule and the pooled rule are judged
    judged = Judge(session, CALENDAR, "week", NOW).run(
        [RULE, BY_LEAD_SOURCE], table_of(rows, [RULE.by, BY_LEAD_SOURCE.by])
    )
    session.flush()

    # then: only the pooled Webinar group holds: 11 of 20 disqualified, validity weighted
    assert (judged.opened, judged.closed) == (1, 0)
    assert episodes(session, "week", [rule_key(RULE)]) == []
    [episode] = episodes(session, "week", [rule_key(BY_LEAD_SOURCE)])
    assert (episode.lead_source, episode.campaign) == ("Webinar", "(all campaigns)")
    assert (
        episode.message
        == "unresponsive is 55% of Webinar / (all campaigns) (11 of week of 2026-03-16)"
    )
    pooled_row = table_of(rows, [BY_LEAD_SOURCE.by])[week][
        ("salesforce", "Webinar", "(all campaigns)")
    ]["unresponsive"]
    assert (pooled_row.leads, pooled_row.disqualified) == (11, 20)
    assert pooled_row.valid_contact_share == pytest.approx((6 * 1.0 + 5 * 0.6) / 11, abs=0.01)


def test_a_rule_pooling_another_dimension_is_another_rule() -> None:
    when = RecommendationWhen(reason="unresponsive", min_share=0.3)

    assert rule_key(Recommendation(when=when, then="a")) != rule_key(
        Recommendation(when=when, then="a", by=("lead_source",))
    )
    assert rule_key(Recommendation(when=when, then="a")) == rule_key(
        Recommendation(when=when, then="a", by=("campaign", "lead_source"))
    )


def test_a_lead_source_filter_on_pooled_lead_sources_is_refused() -> None:
    with pytest.raises(ValueError, match=r"when\.lead_source needs lead_source in `by`"):
        Recommendation(
            when=RecommendationWhen(reason="unresponsive", lead_source="Web"),
            then="x",
            by=("campaign",),
        )
