"""Properties of evaluate() over arbitrary leads, settings and policy orders (hypothesis)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from sync.domain import Lead, Status
from sync.pipeline.policies import REGISTRY, Policy, PolicyContext, apply, crm_value, evaluate
from tests.builders import NOW, lead
from tests.policies.support import CATALOGUE, config, context

MODERATE = settings(max_examples=200, deadline=None)
LOW_SCORE = "low_interest_score"
_WRITABLE = ["status", "nurture_reason", "unqualified_reason"]

_CATALOGUE_VALUES = sorted(
    {value for reason in CATALOGUE.reasons.values() for value in reason.values.values()}
    | {value for legacy in CATALOGUE.legacy.values() for value in legacy}
)
_ZONES = st.sampled_from([UTC, timezone(timedelta(hours=14)), timezone(timedelta(hours=-12))])

reasons = st.one_of(
    st.sampled_from([None, None, "", "  "]),
    st.sampled_from(_CATALOGUE_VALUES),
    st.sampled_from(_CATALOGUE_VALUES).map(lambda value: f" {value.lower()} "),
    st.sampled_from(list(CATALOGUE.reasons)),  # a bare code
    st.text(max_size=300),  # anything: empty, whitespace, emoji, control characters
)
# hypothesis wants naive bounds and attaches one of ``timezones`` to each drawn value
_RECENT = st.datetimes(
    min_value=datetime(2025, 1, 1),  # noqa: DTZ001
    max_value=datetime(2026, 6, 1),  # noqa: DTZ001
    timezones=_ZONES,
)
moments = st.one_of(
    st.none(),
    _RECENT,
    _RECENT,
    st.datetimes(timezones=_ZONES),  # the whole range, datetime.min to datetime.max
    st.datetimes(),  # naive: against the contract, must still not crash
)
flags = st.one_of(st.none(), st.text(max_size=40), st.text(max_size=40).map("leadloop: ".__add__))


_STATUSES = [None, *Status, Status.NEW, Status.NURTURE, Status.UNQUALIFIED]


@st.composite
def leads(draw: st.DrawFn, statuses: list[Status | None] = _STATUSES) -> Lead:
    return lead(
        status=draw(st.sampled_from(statuses)),
        nurture_reason=draw(reasons),
        unqualified_reason=draw(reasons),
        score=draw(st.one_of(st.none(), st.floats(), st.floats(0, 40), st.floats(0, 40))),
        wants_call=draw(st.sampled_from([False, False, False, True])),
        created_at=draw(moments),
        status_changed_at=draw(moments),
        modified_at=draw(moments),
        is_deleted=draw(st.sampled_from([False] * 7 + [True])),
        merged_into=draw(st.sampled_from([None] * 7 + ["00Q000000000009AAA"])),
        converted_at=draw(st.sampled_from([None] * 5 + [NOW])),
        review_flag=draw(flags),
    )


@st.composite
def contexts(draw: st.DrawFn, low_score_fix: bool = False) -> PolicyContext:
    modes = st.sampled_from(["report", "flag", "fix"])
    enabled = st.sampled_from([True, True, True, False])
    policies: dict[str, dict[str, Any]] = {
        name: {"enabled": draw(enabled), "mode": draw(modes)}
        for name in (
            "clear_reasons_on_exit",
            "require_reason",
            "reason_vocabulary",
            "reason_status_mismatch",
        )
    }
    policies["require_reason"]["grace_period"] = draw(st.timedeltas(timedelta(0), timedelta(60)))
    policies["low_score_nurture"] = {
        "enabled": draw(enabled),
        "mode": draw(modes),
        "threshold": draw(st.floats(0, 40)),
        "min_age": draw(st.timedeltas(timedelta(0), timedelta(90))),
        "reason_code": draw(st.sampled_from([LOW_SCORE, LOW_SCORE, "competitor", "nope"])),
    }
    policies["wants_call_reopen"] = {
        "enabled": draw(enabled),
        "mode": draw(st.sampled_from(["report", "flag"])),
    }
    if low_score_fix:
        policies["low_score_nurture"].update(enabled=True, mode="fix", reason_code=LOW_SCORE)
    options = st.none() | st.frozensets(st.sampled_from(_CATALOGUE_VALUES))
    return context(
        crm=draw(st.sampled_from(["salesforce", "hubspot"])),
        config=config(**policies),
        review_flag=draw(st.booleans()),
        field_options={"nurture_reason": draw(options), "unqualified_reason": draw(options)},
        writable=draw(st.none() | st.frozensets(st.sampled_from(_WRITABLE))),
    )


@MODERATE
@given(current=leads(), previous=st.none() | leads(), ctx=contexts())
def test_idempotent(current: Lead, previous: Lead | None, ctx: PolicyContext) -> None:
    """Given any lead, when its corrections are applied and it is evaluated again (the stored
    lead now being the previous state), then there is nothing left to correct and the same
    issues stay open."""
    first = evaluate(current, previous, ctx)
    after = apply(current, first.corrections, ctx)

    second = evaluate(after, current, ctx)

    assert second.corrections == ()
    assert [f.key for f in second.findings] == [f.key for f in first.findings]


@MODERATE
@given(
    current=leads(statuses=[Status.NEW]),
    ctx=contexts(low_score_fix=True),
    score=st.floats(0, 19.9),
)
def test_idempotent_when_nurturing_low_scorers(
    current: Lead, ctx: PolicyContext, score: float
) -> None:
    """Given a stale low-scoring new lead with any reasons and any other settings, when
    low_score_nurture fixes it, then one write settles it: re-evaluation corrects nothing."""
    current = replace(current, score=score, created_at=NOW - timedelta(days=91), wants_call=False)
    first = evaluate(current, None, ctx)

    second = evaluate(apply(current, first.corrections, ctx), current, ctx)

    assert second.corrections == ()


@MODERATE
@given(
    current=leads(), previous=st.none() | leads(), ctx=contexts(), order=st.permutations(REGISTRY)
)
def test_order_independent(
    current: Lead, previous: Lead | None, ctx: PolicyContext, order: list[Policy]
) -> None:
    """Given any lead, when the policies run in another order, then the result is the same."""
    assert evaluate(current, previous, ctx, order) == evaluate(current, previous, ctx)


@MODERATE
@given(current=leads(), previous=st.none() | leads(), ctx=contexts())
def test_corrections_always_change_something(
    current: Lead, previous: Lead | None, ctx: PolicyContext
) -> None:
    """Given any lead, then no correction writes the value the field already holds, no field
    is corrected twice, and every old value is the lead's current value."""
    corrections = evaluate(current, previous, ctx).corrections

    assert all(crm_value(c, ctx) != c.old for c in corrections)
    assert len({c.field for c in corrections}) == len(corrections)
    for correction in corrections:
        held = getattr(current, correction.field)
        assert correction.old == (held.value if isinstance(held, Status) else held)


@MODERATE
@given(current=leads(), previous=st.none() | leads(), ctx=contexts())
def test_total_and_serializable(current: Lead, previous: Lead | None, ctx: PolicyContext) -> None:
    """Given any lead (odd strings, any status, extreme or naive timestamps, NaN scores),
    then evaluation does not raise, evidence is strict JSON, and finding keys are unique."""
    result = evaluate(current, previous, ctx)

    for finding in result.findings:
        json.dumps(dict(finding.evidence), allow_nan=False)
    assert len({f.key for f in result.findings}) == len(result.findings)
    if current.is_deleted or current.merged_into:
        assert result.findings == () and result.corrections == ()
