"""Typed settings of the feedback step (the ``feedback:`` section of the YAML config)."""

from __future__ import annotations

import string
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

#: a lower-case snake_case name (HubSpot object and property names)
NAME = r"^[a-z][a-z0-9_]*$"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


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


class RecommendationWhen(_Model):
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


class Recommendation(_Model):
    """When a reason's numbers in a group (period x source x lead source x campaign) cross
    the thresholds, say ``then`` (placeholders such as ``{share:.0%}`` are filled in)."""

    when: RecommendationWhen
    then: Annotated[str, Field(min_length=1), AfterValidator(_template)]


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


class CustomObjectTarget(_Model):
    enabled: bool = True
    name: str = Field(default="leadloop_feedback", pattern=NAME)


class ContactPropertiesTarget(_Model):
    enabled: bool = True


class FeedbackConfig(_Model):
    periods: list[Literal["day", "week", "month"]] = Field(default=["week", "month"], min_length=1)
    target: str | None = Field(
        default=None, description="a source of type hubspot; none: report only"
    )
    custom_object: CustomObjectTarget = CustomObjectTarget()
    contact_properties: ContactPropertiesTarget = ContactPropertiesTarget()
    recommendations: list[Recommendation] = list(DEFAULT_RECOMMENDATIONS)
