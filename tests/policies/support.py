"""A small reason catalogue and context builder for the policy specs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mappings.catalogue import Catalogue, Reason
from sync.pipeline.policies import REGISTRY, PoliciesConfig, Policy, PolicyContext
from tests.builders import NOW


def _reason(code: str, label: str, status: Any, salesforce: str) -> tuple[str, Reason]:
    return code, Reason(code, label, status, {"salesforce": salesforce, "hubspot": code.upper()})


CATALOGUE = Catalogue(
    reasons=dict(
        [
            _reason("bad_timing", "Bad timing", "nurture", "Bad Timing"),
            _reason("no_budget_now", "No budget now", "nurture", "No Budget Now"),
            _reason("low_interest_score", "Low interest score", "nurture", "Low Interest Score"),
            _reason("unresponsive", "Unresponsive", "unqualified", "Unresponsive"),
            _reason("wrong_persona", "Wrong persona", "unqualified", "Wrong Persona"),
            _reason("competitor", "Competitor", "unqualified", "Competitor"),
        ]
    ),
    legacy={
        "salesforce": {
            "Call me later": ("bad_timing",),  # remappable nurture value
            "Went dark": ("unresponsive",),  # remappable unqualified value
            "Not interested": ("bad_timing", "unresponsive"),  # ambiguous across statuses
            "Dead lead": ("unresponsive", "wrong_persona"),  # ambiguous, all unqualified
        }
    },
)


def config(**policies: Mapping[str, Any]) -> PoliciesConfig:
    """Policy settings as YAML would give them, e.g. ``config(require_reason={"mode": "fix"})``."""
    return PoliciesConfig.model_validate(policies)


def context(**overrides: Any) -> PolicyContext:
    """A Salesforce context at :data:`NOW` with default settings and a review flag field."""
    values: dict[str, Any] = {
        "catalogue": CATALOGUE,
        "crm": "salesforce",
        "now": NOW,
        "config": PoliciesConfig(),
        "field_options": {},
        "review_flag": True,
    }
    return PolicyContext(**{**values, **overrides})


def only(name: str) -> tuple[Policy, ...]:
    """The registry reduced to one policy, to spec it in isolation through ``evaluate``."""
    return tuple(policy for policy in REGISTRY if policy.name == name)
