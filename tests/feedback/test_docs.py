"""docs/metrics.md defines every number the feedback step computes."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from sync.store.aggregates import ReasonRow
from sync.store.funnel import FunnelRow
from sync.store.owners import OwnerRow

METRICS = Path(__file__).resolve().parents[2] / "docs" / "metrics.md"
NOT_METRICS = {"period", "source", "lead_source", "campaign", "reason", "key", "owner"}


def _fields() -> list[str]:
    names = [*ReasonRow._fields]
    names += [f.name for f in dataclasses.fields(FunnelRow)]
    names += [f.name for f in dataclasses.fields(OwnerRow)]
    return sorted(set(names) - NOT_METRICS)


@pytest.mark.parametrize("name", _fields())
def test_every_metric_is_defined_with_its_sql(name: str) -> None:
    text = METRICS.read_text(encoding="utf-8")

    assert f"**{name}**" in text or f"AS {name}" in text, name
