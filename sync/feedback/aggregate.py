"""The counted leads of one feedback run and what is asked of them: reason aggregates, the
overlap between sources, the funnel and the owner scorecard.

:func:`counted` judges every stored reason value against the catalogue (:mod:`.codes`), fills
the store's temporary tables once (:mod:`sync.store.facts`), and hands out a
:class:`Counted` whose methods each run one statement of :mod:`sync.store.aggregates`,
:mod:`sync.store.funnel` or :mod:`sync.store.owners`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import get_args

from sqlalchemy.orm import Session

from mappings.catalogue import Catalogue
from sync.config.settings import Settings
from sync.feedback.codes import reason_codes
from sync.feedback.config import PeriodKind
from sync.feedback.periods import Calendar
from sync.store import aggregates, facts, funnel, owners
from sync.store.aggregates import ReasonRow
from sync.store.funnel import Cohort, FunnelRow
from sync.store.owners import OwnerRow

#: timestamps before this are put in periods with the zone's offset of that day (the offsets
#: are compared newest first, so a long span costs old rows only)
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
#: every period kind
KINDS: tuple[PeriodKind, ...] = get_args(PeriodKind)


@dataclass(frozen=True)
class Overlap:
    """People disqualified in more than one source: each source counts them once."""

    people: int
    per_source: dict[str, int] = field(default_factory=dict)


def source_catalogues(settings: Settings) -> dict[str, tuple[Catalogue, str]]:
    """Each configured source's catalogue (its own reason values applied) and CRM kind."""
    return {
        name: (settings.catalogue_for(name), settings.mapping(name).crm)
        for name in sorted(settings.sources)
    }


@dataclass(frozen=True)
class Counted:
    """Questions to the counted leads; valid inside :func:`counted` only."""

    session: Session
    calendar: Calendar
    since: date | None = None
    sources: tuple[str, ...] = ()
    kinds: tuple[str, ...] = KINDS

    def reasons(self, kind: PeriodKind) -> list[ReasonRow]:
        """Every reason of every group in ``kind`` periods of disqualification (one of the
        kinds :func:`counted` was asked for)."""
        if kind not in self.kinds:
            raise ValueError(f"reasons per {kind} were not counted (only {self.kinds})")
        return aggregates.reason_rows(self.session, kind, self.calendar.week_start)

    def overlap(self) -> Overlap:
        people, per_source = aggregates.overlap(self.session, self.sources, self.since)
        return Overlap(people, per_source)

    def funnel(
        self, dimensions: Sequence[str] = (), kind: PeriodKind | None = None
    ) -> list[FunnelRow]:
        """The funnel of the leads created since ``since``, per ``kind`` period of creation
        (None: one cohort) and per value of ``dimensions`` (of source, lead_source, campaign,
        owner)."""
        unknown = sorted(set(dimensions) - set(funnel.DIMENSIONS))
        if unknown:
            raise ValueError(f"unknown funnel dimension {unknown[0]!r}")
        cohort = Cohort(tuple(dimensions), kind, self.calendar.week_start, self.since)
        return funnel.funnel_rows(self.session, cohort)

    def hold(self, held: Iterable[tuple[str, str, str, str, str]]) -> None:
        """Note the (period, source, lead_source, campaign, reason) in which recommendations
        held, for :meth:`owners`."""
        facts.hold(self.session, held)

    def owners(self, kind: PeriodKind) -> list[OwnerRow]:
        """The owner scorecard over leads disqualified since ``since``."""
        return owners.owner_rows(self.session, kind, self.calendar.week_start, self.since)


def kinds_for(settings: Settings, kinds: Iterable[PeriodKind]) -> tuple[PeriodKind, ...]:
    """``kinds`` and the period recommendations are judged on: what a run aggregates."""
    return tuple(dict.fromkeys((*kinds, settings.feedback.recommendation_period)))


def calendar_of(settings: Settings) -> Calendar:
    return Calendar.of(settings.feedback.timezone, settings.feedback.week_start_index)


@contextmanager
def counted(
    session: Session,
    settings: Settings,
    now: datetime,
    since: date | None = None,
    disqualified_only: bool = False,
    kinds: Sequence[PeriodKind] = KINDS,
) -> Iterator[Counted]:
    """The counted leads of the configured sources, for the block.

    ``since``: a local day; reasons count from leads disqualified on or after it, funnels
    from leads created on or after it. ``disqualified_only``: enough for reasons and the push.
    ``kinds``: the period kinds reasons will be asked for (fewer kinds, fewer rows to sum).
    """
    calendar = calendar_of(settings)
    sources = source_catalogues(settings)
    codes = reason_codes(facts.reason_values(session, sources), sources)
    first = EARLIEST if since is None else min(EARLIEST, calendar.instant(since))
    shifts = calendar.shifts(first, now + timedelta(days=1))
    rows = [(c.source, c.value, c.code, c.kind) for c in codes]
    week_start = calendar.week_start
    with facts.counted_leads(
        session, sources, rows, shifts, disqualified_only, since, kinds, week_start
    ):
        yield Counted(session, calendar, since, tuple(sources), tuple(kinds))
