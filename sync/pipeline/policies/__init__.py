"""Reason-hygiene policies: pure functions from a lead (and its previous state) to corrections
and findings. Entry points: :func:`evaluate` and, for dry runs and tests, :func:`apply`."""

from sync.pipeline.policies.config import PoliciesConfig
from sync.pipeline.policies.engine import POLICY_NAMES, REGISTRY, Policy, apply, evaluate
from sync.pipeline.policies.model import (
    REVIEW_FLAG,
    REVIEW_FLAG_PREFIX,
    Change,
    Evaluation,
    Finding,
    PolicyContext,
    crm_value,
)

__all__ = [
    "POLICY_NAMES",
    "REGISTRY",
    "REVIEW_FLAG",
    "REVIEW_FLAG_PREFIX",
    "Change",
    "Evaluation",
    "Finding",
    "PoliciesConfig",
    "Policy",
    "PolicyContext",
    "apply",
    "crm_value",
    "evaluate",
]
