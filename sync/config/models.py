"""The config's base model, the constraints its sections share, and the small sections
(``store``, a source's ``schedule``, ``reasons``, ``limits``).

The ``sources`` section lives in :mod:`sync.config.sources`, ``feedback`` in
:mod:`sync.feedback.config`. Every model forbids unknown keys.
``config/leadloop.example.yaml`` documents every key; ``config/leadloop.schema.json`` is
generated from these models.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
    model_validator,
)

from connectors import durations
from connectors.durations import Duration
from sync.config.types import Cron, StoreUrl


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _positive(value: timedelta) -> timedelta:
    if value <= timedelta(0):
        raise ValueError("must be longer than zero")
    return value


PositiveDuration = Annotated[Duration, AfterValidator(_positive)]
#: Deleted leads are readable (queryAll) only while in the Recycle Bin, 15 days at most:
#: https://developer.salesforce.com/docs/platform/api-rest/guide/resources-queryall.html
#: https://developer.salesforce.com/docs/atlas.en-us.apexcode.meta/apexcode/langCon_apex_dml_examples_undelete.htm
Interval = Annotated[
    PositiveDuration,
    durations.at_most(
        timedelta(days=7),
        "Salesforce keeps deleted leads readable for 15 days; use cron for rarer runs",
    ),
]
Lookback = Annotated[
    Duration,
    durations.at_most(timedelta(days=1), "re-read on every cycle; resync --since reaches further"),
]
Timeout = Annotated[
    PositiveDuration,
    durations.at_most(timedelta(minutes=10), "per HTTP request; a slower answer is a stuck call"),
]
Share = Annotated[float, Field(gt=0, le=1, description="a fraction in (0, 1]")]
SOURCE_NAME = r"^[a-z][a-z0-9_]*$"
_PERCENT = re.compile(r"^\s*\d+(\.\d+)?\s*%\s*$")


def at_most(limit: int, why: str) -> AfterValidator:
    """A validator refusing numbers above ``limit``; ``why`` says where the limit comes from."""

    def check(value: int) -> int:
        if value > limit:
            raise ValueError(f"at most {limit} ({why})")
        return value

    return AfterValidator(check)


class StoreConfig(Model):
    """Where leadloop keeps leads, cursors, the outbox and runs."""

    url: StoreUrl

    @property
    def dsn(self) -> str:
        """The database URL with its password, for the engine only (never print it)."""
        return self.url.get_secret_value()


class Schedule(Model):
    """When the scheduler runs a source: every fixed interval, or on a cron expression (UTC)."""

    every: Interval | None = None
    cron: Cron | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Schedule:
        if (self.every is None) == (self.cron is None):
            raise ValueError("give exactly one of 'every' (e.g. 15m) or 'cron'")
        return self


class ReasonsConfig(Model):
    catalogue: str = Field(default="default", description="'default' or a path to a catalogue YAML")


def _percent(value: Any) -> Any:
    """``10`` or ``"0.5%"`` as a percentage; a bare number up to 1 is refused as ambiguous
    (``0.1`` is 0.1 %, but reads like the fraction 10 %; ``api_budget_share`` is a fraction)."""
    if isinstance(value, str) and _PERCENT.match(value):
        return float(value.strip().rstrip("%"))
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("expected a percentage such as 10 (10 %) or '0.5%'")
    if 0 < value <= 1:
        whole = f"{value * 100:g}"
        raise ValueError(
            f"{value:g} is ambiguous: {value:g} % of the leads, or the fraction {value:g} "
            f"(= {whole} %); write {whole} for {whole} %, or '{value:g}%' for {value:g} %"
        )
    return value


Percent = Annotated[
    float,
    Field(gt=0, le=100),
    BeforeValidator(_percent),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "exclusiveMinimum": 1, "maximum": 100},
                {"type": "string", "pattern": r"^\s*\d+(\.\d+)?\s*%\s*$"},
            ],
            "description": "a percentage: a number above 1, or a string such as '0.5%'",
        }
    ),
]


class ChangeBudget(Model):
    max_records: int = Field(default=500, ge=1)
    max_percent: Percent = 10


class LimitsConfig(Model):
    api_budget_share: Share = 0.5
    change_budget: ChangeBudget = ChangeBudget()
