"""Typed settings of the feedback step (the ``feedback:`` section of the YAML config).

``config/leadloop.example.yaml`` documents every key; each one is read by the feedback step
(periods and time zone by the aggregation, ``schedule`` by the scheduler, the targets by the
push, the rules by the recommendations).
"""

from __future__ import annotations

import string
import zoneinfo
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from sync.config.models import Model, Schedule

#: a lower-case snake_case name (HubSpot object, property and group names)
NAME = r"^[a-z][a-z0-9_]*$"
PeriodKind = Literal["day", "week", "month"]
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


RECOMMENDATION_FIELDS = (
    "reason",
    "share",
    "count",
    "lead_source",
    "campaign",
    "source",
    "period",
    "valid_contact_share",
)


class RecommendationWhen(Model):
    """The thresholds a reason's numbers in one group and period must all reach."""

    reason: str
    min_share: float = Field(default=0, ge=0, le=1)
    min_count: int = Field(default=1, ge=1)
    lead_source: str | None = None
    min_valid_contact_share: float | None = Field(default=None, ge=0, le=1)


def _template(value: str) -> str:
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(value) if name is not None}
    except ValueError as error:
        raise ValueError(f"bad template: {error}") from None
    unknown = sorted(n for n in names if n.split(".")[0] not in RECOMMENDATION_FIELDS)
    if unknown:
        raise ValueError(
            f"unknown placeholder {{{unknown[0]}}} (known: "
            f"{', '.join('{' + f + '}' for f in RECOMMENDATION_FIELDS)})"
        )
    return value


#: the group dimensions a rule may judge on (the source always is one)
GroupBy = Literal["lead_source", "campaign"]


class Recommendation(Model):
    """When a reason's numbers in a group (period x source x lead source x campaign) cross
    the thresholds, say ``then`` (placeholders such as ``{share:.0%}`` are filled in).

    ``by`` names the dimensions the groups are split on: leave one out to pool it (``by:
    [lead_source]`` judges each lead source over all its campaigns, ``by: []`` each source as
    a whole), for orgs whose campaigns are too many for any one of them to reach the sample.
    """

    name: str | None = Field(
        default=None,
        pattern=NAME,
        description="a stable name: its history survives edits of the thresholds",
    )
    when: RecommendationWhen
    then: Annotated[str, Field(min_length=1), AfterValidator(_template)]
    by: tuple[GroupBy, ...] = Field(
        default=("lead_source", "campaign"),
        description="the dimensions groups are split on; one left out is pooled",
    )

    @model_validator(mode="after")
    def _filter_on_a_split(self) -> Recommendation:
        if self.when.lead_source is not None and "lead_source" not in self.by:
            raise ValueError("when.lead_source needs lead_source in `by` (it filters groups)")
        if len(set(self.by)) != len(self.by):
            raise ValueError("`by` names a dimension twice")
        return self


DEFAULT_RECOMMENDATIONS = (
    Recommendation(
        when=RecommendationWhen(
            reason="unresponsive", min_share=0.3, min_count=10, min_valid_contact_share=0.8
        ),
        then="unresponsive is {share:.0%} of disqualified leads from {lead_source} "
        "and {valid_contact_share:.0%} of them have valid contact data: raise "
        "the interest-score threshold",
    ),
    Recommendation(
        when=RecommendationWhen(reason="wrong_persona", min_share=0.25, min_count=10),
        then="wrong_persona is {share:.0%} of disqualified leads from {lead_source} "
        "/ {campaign}: tighten the job-title targeting",
    ),
    Recommendation(
        when=RecommendationWhen(reason="out_of_territory", min_share=0.2, min_count=10),
        then="out_of_territory is {share:.0%} of disqualified leads from {campaign}: "
        "restrict the campaign's regions",
    ),
    Recommendation(
        when=RecommendationWhen(reason="bad_contact_data", min_share=0.2, min_count=10),
        then="bad_contact_data is {share:.0%} of disqualified leads from "
        "{lead_source}: validate email and phone on the form",
    ),
)


class CustomObjectTarget(Model):
    """One HubSpot custom object record per period x source x lead source x campaign x reason."""

    enabled: bool = True
    name: str = Field(default="leadloop_feedback", pattern=NAME)
    create: bool = Field(
        default=True, description="create the schema, or properties it lacks, when missing"
    )


class ContactPropertiesTarget(Model):
    """Sales status, reason and date on the HubSpot contacts matching disqualified leads."""

    enabled: bool = True
    create: bool = Field(
        default=True, description="create the property group and properties when missing"
    )
    group: str = Field(default="leadloop", pattern=NAME, description="their property group")


def _zone(value: str) -> str:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {value!r} (an IANA name such as UTC or Europe/Berlin)"
        ) from None
    return value


class FeedbackConfig(Model):
    periods: list[PeriodKind] = Field(default=["week", "month"], min_length=1)
    timezone: Annotated[str, AfterValidator(_zone)] = Field(
        default="UTC", description="where days, weeks and months start (IANA name)"
    )
    week_start: Weekday = "monday"
    schedule: Schedule | None = Field(
        default=None, description="when `leadloop run` runs the feedback step"
    )
    target: str | None = Field(
        default=None, description="a source of type hubspot; none: report only"
    )
    custom_object: CustomObjectTarget = CustomObjectTarget()
    contact_properties: ContactPropertiesTarget = ContactPropertiesTarget()
    recommendation_period: PeriodKind = Field(
        default="week", description="the period recommendations are judged on"
    )
    compare_periods: int = Field(
        default=4, ge=1, le=52, description="periods before and after a recommendation compared"
    )
    recommendations: list[Recommendation] = list(DEFAULT_RECOMMENDATIONS)

    @model_validator(mode="after")
    def _unique_names(self) -> FeedbackConfig:
        names = [rule.name for rule in self.recommendations if rule.name is not None]
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            raise ValueError(f"recommendation name {twice[0]!r} is used twice")
        return self

    @property
    def week_start_index(self) -> int:
        """The first day of the week, 0 for Monday to 6 for Sunday (``datetime.weekday()``)."""
        return WEEKDAYS.index(self.week_start)

    @property
    def all_periods(self) -> tuple[PeriodKind, ...]:
        """The periods to aggregate: those pushed and the one recommendations are judged on."""
        return tuple(dict.fromkeys((*self.periods, self.recommendation_period)))
