"""Recommendations: the rules of ``feedback.recommendations`` judged on each complete period.

A rule holds for a group (source x lead source x campaign) in a period when its reason's
numbers there reach every threshold, ``min_count`` being its minimum sample. A rule whose
``by`` leaves a dimension out is judged on pooled groups, whose value there is
:data:`POOLED`'s (the rows of the groups they pool, summed). Each complete
period is judged once, in order: the first period a rule holds opens an episode (raised),
the episode stays open while the rule holds and closes in the first period it does not. The
report compares the reason's share in the group before and after the episode opened.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from mappings.catalogue import Catalogue
from sync.feedback.config import PeriodKind, Recommendation
from sync.feedback.periods import Calendar
from sync.store import recommendations as history
from sync.store.aggregates import ReasonRow
from sync.store.recommendations import Group, Held

log = logging.getLogger(__name__)
#: period -> group -> reason -> its row
Table = dict[str, dict[Group, dict[str, ReasonRow]]]
#: the group dimensions after the source, in their order in a group
DIMENSIONS = ("lead_source", "campaign")
#: a pooled dimension's value in a group (what messages and the report show)
POOLED = {"lead_source": "(all lead sources)", "campaign": "(all campaigns)"}


def rule_key(rule: Recommendation) -> str:
    """The rule's identity in the history: its name, else a digest of its thresholds (a rule
    with other thresholds is another rule; rewording ``then`` keeps its history)."""
    if rule.name is not None:
        return rule.name
    thresholds: dict[str, Any] = rule.when.model_dump()
    if set(rule.by) != set(DIMENSIONS):  # the groups judged are part of what a rule is
        thresholds["by"] = sorted(rule.by)
    when = json.dumps(thresholds, sort_keys=True)
    return "rule-" + hashlib.sha256(when.encode()).hexdigest()[:12]


def table_of(rows: Iterable[ReasonRow], splits: Iterable[Sequence[str]] = ()) -> Table:
    """Reason rows by period, group and reason, with the pooled groups of every ``by`` in
    ``splits`` that leaves a dimension out."""
    rows = list(rows)
    wanted = {frozenset(split) for split in splits} - {frozenset(DIMENSIONS)}
    table: Table = defaultdict(lambda: defaultdict(dict))
    for row in [*rows, *(row for by in wanted for row in pooled(rows, by))]:
        table[row.period][row.group][row.reason] = row
    return table


#: a pooled group in one period: (period, source, lead source, campaign)
PooledKey = tuple[str, str, str, str]


def pooled(rows: Sequence[ReasonRow], by: frozenset[str]) -> list[ReasonRow]:
    """The rows of the groups split by ``by`` alone: counts summed, each split group's
    disqualified leads once, shares of the sums (validity shares weighted by leads)."""
    disqualified: dict[PooledKey, int] = defaultdict(int)
    sums: dict[tuple[PooledKey, str], list[float]] = {}
    seen: set[tuple[str, Group]] = set()
    for row in rows:
        key = (
            row.period,
            row.source,
            row.lead_source if "lead_source" in by else POOLED["lead_source"],
            row.campaign if "campaign" in by else POOLED["campaign"],
        )
        if (row.period, row.group) not in seen:
            seen.add((row.period, row.group))
            disqualified[key] += row.disqualified
        acc = sums.setdefault((key, row.reason), [0.0] * 8)
        for i, value in enumerate((row.leads, row.nurture, row.unqualified, row.valid_contact)):
            acc[i] += value
        for i, share in enumerate(row[-4:], start=4):  # email/phone valid/invalid shares
            acc[i] += share * row.leads
    return [_pooled_row(key, reason, acc, disqualified[key]) for (key, reason), acc in sums.items()]


def _pooled_row(key: PooledKey, reason: str, acc: list[float], total: int) -> ReasonRow:
    leads = int(acc[0])
    valid, email_valid, email_invalid, phone_valid, phone_invalid = (
        value / leads if leads else 0.0 for value in acc[3:]
    )
    period, source, lead_source, campaign = key
    return ReasonRow(
        period, source, lead_source, campaign, reason, leads, total,
        leads / total if total else 0.0, int(acc[1]), int(acc[2]), int(acc[3]), valid,
        email_valid, email_invalid, phone_valid, phone_invalid,
    )  # fmt: skip


def in_split(rule: Recommendation, group: Group) -> bool:
    """Whether ``group`` is one the rule judges: pooled exactly on what its ``by`` leaves out."""
    return all(
        (value == POOLED[dim]) == (dim not in rule.by)
        for dim, value in zip(DIMENSIONS, group[1:], strict=True)
    )


def holds(rule: Recommendation, group: Group, row: ReasonRow | None) -> bool:
    """Whether ``rule`` holds for ``group`` given its reason's row in one period."""
    when = rule.when
    if row is None or (when.lead_source is not None and group[1] != when.lead_source):
        return False
    valid = when.min_valid_contact_share
    if valid is not None and row.valid_contact_share < valid:
        return False
    return row.leads >= when.min_count and row.share >= when.min_share


def evidence(rule: Recommendation, row: ReasonRow, label: str) -> dict[str, Any]:
    """The numbers behind a rule holding: what the report and ``--json`` show."""
    return {
        "period": row.period, "period_label": label, "reason": row.reason,
        "count": row.leads, "sample": row.disqualified, "share": row.share,
        "valid_contact_share": row.valid_contact_share,
        "email_valid_share": row.email_valid_share, "phone_valid_share": row.phone_valid_share,
        "thresholds": rule.when.model_dump(exclude_none=True),
    }  # fmt: skip


def message(rule: Recommendation, row: ReasonRow, label: str) -> str:
    """``then`` with the numbers filled in; a format the numbers do not fit is said, not
    raised (``{share:d}`` on a fraction)."""
    fields = {
        "reason": row.reason, "share": row.share, "count": row.leads,
        "lead_source": row.lead_source, "campaign": row.campaign, "source": row.source,
        "period": label, "valid_contact_share": row.valid_contact_share,
    }  # fmt: skip
    try:
        return rule.then.format(**fields)
    except (ValueError, TypeError, KeyError, IndexError) as error:
        return f"{rule.then} (cannot fill in the numbers: {error})"


@dataclass
class Judged:
    """What one run's judging did."""

    periods: int = 0
    opened: int = 0
    closed: int = 0
    skipped_rules: tuple[str, ...] = ()


def active_rules(
    rules: Sequence[Recommendation], catalogue: Catalogue
) -> tuple[list[Recommendation], list[str]]:
    """The rules whose reason the catalogue knows, and the codes of the others (a built-in rule
    naming a code that a custom catalogue lacks: skipped, said once)."""
    known = [rule for rule in rules if rule.when.reason in catalogue.reasons]
    unknown = sorted({rule.when.reason for rule in rules} - set(catalogue.reasons))
    return known, unknown


@dataclass(frozen=True)
class Judge:
    """Judges rules on one kind of period, up to the last complete one."""

    session: Session
    calendar: Calendar
    kind: PeriodKind
    now: datetime

    def run(
        self, rules: Sequence[Recommendation], table: Table, first: str | None = None
    ) -> Judged:
        """Judge every rule on the periods it was not judged on yet (from ``first`` at the
        earliest, a period key), and record the episodes."""
        judged = Judged()
        last = self.calendar.last_complete(self.kind, self.now)
        for rule in rules:
            periods = self._periods(rule_key(rule), table, first, last)
            judged.periods = max(judged.periods, len(periods))
            opened, closed = self._judge(rule, periods, table)
            judged.opened, judged.closed = judged.opened + opened, judged.closed + closed
            if periods:
                history.mark_judged(self.session, rule_key(rule), self.kind, last, self.now)
        return judged

    def _periods(self, key: str, table: Table, first: str | None, last: str) -> list[str]:
        through = history.judged_through(self.session, key, self.kind)
        if through is not None:
            start = self.calendar.shifted(self.kind, through, 1)
        elif table:
            start = min(table)
        else:
            return []  # nothing to judge yet: judge from the data's first period once it comes
        if first is not None:
            start = max(start, first)
        return list(self.calendar.keys(self.kind, start, last))

    def _judge(self, rule: Recommendation, periods: list[str], table: Table) -> tuple[int, int]:
        key, opened, closed = rule_key(rule), 0, 0
        episodes = history.open_episodes(self.session, key, self.kind)
        for period in periods:
            rows = table.get(period, {})
            for group in sorted({g for g in rows if in_split(rule, g)} | set(episodes)):
                row = rows.get(group, {}).get(rule.when.reason)
                if row is not None and holds(rule, group, row):
                    label = self.calendar.label(self.kind, period)
                    held = Held(
                        period,
                        group,
                        row.reason,
                        message(rule, row, label),
                        evidence(rule, row, label),
                    )
                    if group in episodes:
                        history.extend_episode(episodes[group], held)
                    else:
                        episodes[group] = history.open_episode(
                            self.session, key, self.kind, held, self.now
                        )
                        opened += 1
                elif group in episodes:
                    history.close_episode(episodes.pop(group), period, self.now)
                    closed += 1
        return opened, closed
