"""A daemon keeps each source's connector (its session, its describe) from cycle to cycle."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from connectors.sandbox.salesforce.fields import Field
from connectors.sandbox.salesforce.schema import REASON_VALUES
from sync.lease import Worker
from sync.pipeline.kept import KeptSources, SourceInUse
from sync.pipeline.lifecycle import SourceReport
from sync.pipeline.windows import STREAM
from sync.scheduler import Outcome, SourceRunner
from sync.store import cursors
from sync.store.models import Run
from sync.store.summary import api_usage
from tests.scheduler.conftest import Harness, scheduled

THIS_WORKER = Worker("this-host", "this-host", 1, "def456")


class Daemon:
    """One SourceRunner driven cycle by cycle on the harness's frozen clock, 15 minutes apart,
    with the emulators' calls and the reports of each cycle."""

    def __init__(self, harness: Harness) -> None:
        self.harness = harness
        self.reports: list[SourceReport | None] = []
        self.runner = SourceRunner(
            harness.settings, harness.sessions, harness.clock, THIS_WORKER, self._observe
        )

    def _observe(self, _name: str, _outcome: Outcome, report: SourceReport | None) -> None:
        self.reports.append(report)

    def cycle(self, name: str = "salesforce", minutes: int = 15) -> tuple[Outcome, Counter[str]]:
        """One cycle of ``name`` ``minutes`` after the last: its outcome and the calls the
        emulator received for it, by operation."""
        self.harness.clock.advance(minutes=minutes)
        emulator = getattr(self.harness.box, name)
        before = Counter(emulator.calls)
        outcome = self.runner(name)
        return outcome, Counter(emulator.calls) - before

    @property
    def last(self) -> SourceReport:
        report = self.reports[-1]
        assert report is not None
        return report

    def settled(self, name: str = "salesforce") -> None:
        """The first full cycle (with its write-back) and the one reading those writes back."""
        for _ in range(2):
            assert self.cycle(name)[0] is Outcome.RAN


@pytest.fixture
def daemon(harness: Harness) -> Iterator[Daemon]:
    scheduled(harness, salesforce="{every: 15m}", hubspot="{every: 15m}")
    started = Daemon(harness)
    yield started
    started.runner.close()


def run_counts(harness: Harness) -> list[dict[str, Any]]:
    with harness.sessions() as session:
        return [dict(run.counts or {}) for run in session.scalars(select(Run).order_by(Run.id))]


def test_given_a_settled_source_when_the_daemon_cycles_with_no_change_then_each_costs_one_query(
    daemon: Daemon,
) -> None:
    daemon.settled()

    cycles = [daemon.cycle() for _ in range(3)]

    assert cycles == [(Outcome.RAN, Counter({"query": 1}))] * 3  # no login, no describe


def test_given_a_settled_hubspot_source_when_the_daemon_cycles_then_each_costs_one_search(
    daemon: Daemon,
) -> None:
    daemon.settled("hubspot")

    cycles = [daemon.cycle("hubspot") for _ in range(2)]

    assert [sum(calls.values()) for _, calls in cycles] == [1, 1]


def test_given_kept_connectors_when_cycles_run_then_each_run_counts_its_own_calls_only(
    daemon: Daemon,
) -> None:
    daemon.settled()
    first_calls = run_counts(daemon.harness)[0]["api_calls"]

    daemon.cycle()
    daemon.cycle()

    counts = run_counts(daemon.harness)
    assert counts[0]["api_calls"] == first_calls  # a finished run's row is never touched again
    assert [c["api_calls"] for c in counts[2:]] == [1, 1]
    assert all(c["api_calls.query"] == 1 and "api_calls.login" not in c for c in counts[2:])
    assert daemon.last.counts["api_calls"] == 1 and daemon.last.counts["api_calls_pull"] == 1
    assert counts[-1]["api_limit"] > 0 and counts[-1]["api_used"] > 0  # the CRM's own figures
    with daemon.harness.sessions() as session:
        cost = api_usage(session, "salesforce", daemon.harness.clock.now - timedelta(days=1))[
            "last_run"
        ]
    assert cost is not None and (cost["calls"], cost["by_operation"]) == (1, {"query": 1})


def test_given_kept_connectors_when_cycles_run_then_each_window_ends_at_its_own_crm_clock(
    daemon: Daemon,
) -> None:
    daemon.settled()

    daemon.cycle()
    daemon.cycle()

    with daemon.harness.sessions() as session:
        position = cursors.get_cursor(session, "salesforce", STREAM)
    assert position is not None and position.modstamp == daemon.harness.clock()


def test_given_sessions_expired_between_cycles_when_the_next_runs_then_it_logs_in_again_once(
    daemon: Daemon,
) -> None:
    daemon.settled()
    daemon.cycle()
    daemon.harness.box.salesforce.expire_sessions()  # timeout, or an admin revoked them

    after_expiry = daemon.cycle()
    after_expiry_counts = daemon.last.counts
    next_one = daemon.cycle()

    # the query the expired session sent is refused (INVALID_SESSION_ID), then login + query
    assert after_expiry == (Outcome.RAN, Counter({"query": 2, "login": 1}))
    assert (after_expiry_counts["api_calls"], after_expiry_counts["api_calls.login"]) == (3, 1)
    assert next_one == (Outcome.RAN, Counter({"query": 1}))
    assert daemon.last.counts["api_calls"] == 1


def test_given_sessions_timing_out_after_30_idle_minutes_when_cycles_are_hourly_then_each_logs_in(
    daemon: Daemon,
) -> None:
    daemon.harness.box.salesforce.set_session_timeout(timedelta(minutes=30))  # Session Settings
    daemon.settled()  # 15 minutes apart: the session stays alive

    hourly = [daemon.cycle(minutes=60) for _ in range(2)]
    quarter_hourly = [daemon.cycle(minutes=15) for _ in range(2)]

    # the login answer said 1800 seconds: an hour idle, the daemon logs in up front
    assert hourly == [(Outcome.RAN, Counter({"login": 1, "query": 1}))] * 2  # no refused query
    assert quarter_hourly == [(Outcome.RAN, Counter({"query": 1}))] * 2


def test_given_a_cycle_in_the_first_half_of_the_timeout_when_the_next_comes_late_then_login_first(
    daemon: Daemon,
) -> None:
    """Salesforce counts a session's activity only from halfway through its timeout: the
    cycle 15 minutes after the login does not extend it, so a cycle 1 h 50 min after that one
    (2 h 5 min after the login) logs in up front rather than sending a query the org refuses."""
    daemon.settled()  # the login, then a cycle 15 minutes later: in the first half

    late = daemon.cycle(minutes=110)

    assert late == (Outcome.RAN, Counter({"login": 1, "query": 1}))  # not query, login, query


def test_given_a_cycle_failing_on_auth_when_the_next_runs_then_it_starts_with_a_fresh_login(
    daemon: Daemon,
) -> None:
    daemon.settled()
    # the session is refused, and so is the login that follows (a password changed)
    daemon.harness.box.salesforce.faults.script("*", "invalid_session", times=2)

    failed = daemon.cycle()
    kept_after_failure = daemon.runner.sources.kept()
    fresh = daemon.cycle()

    assert failed[0] is Outcome.FAILED
    assert "salesforce" not in kept_after_failure
    assert fresh == (Outcome.RAN, Counter({"login": 1, "query": 1}))
    assert daemon.cycle() == (Outcome.RAN, Counter({"query": 1}))


def test_given_the_daily_limit_stops_a_cycle_when_the_next_runs_then_the_session_is_kept(
    daemon: Daemon,
) -> None:
    daemon.settled()
    daemon.harness.box.salesforce.faults.script("query", "request_limit", times=1)

    stopped = daemon.cycle()

    assert stopped[0] is Outcome.STOPPED
    assert daemon.cycle() == (Outcome.RAN, Counter({"query": 1}))


def edit_lead(daemon: Daemon, fields: dict[str, Any]) -> str:
    """A rep edits one lead (so the next cycle has a record to evaluate); its id."""
    emulator = daemon.harness.box.salesforce
    lead = next(row for row in emulator.records() if not row["IsDeleted"])
    emulator.human_edit(lead["Id"], fields)
    return str(lead["Id"])


def test_given_a_kept_describe_when_it_is_an_hour_old_then_the_next_cycle_describes_again(
    daemon: Daemon,
) -> None:
    daemon.settled()  # described at the first cycle, 15 minutes ago

    edit_lead(daemon, {"Title": "VP Sales"})
    within_the_hour = daemon.cycle()  # 30 min after the describe
    daemon.harness.clock.advance(minutes=30)
    edit_lead(daemon, {"Title": "VP Marketing"})
    an_hour_on = daemon.cycle()  # 75 min after it

    assert within_the_hour[1]["describe"] == 0
    assert an_hour_on[1]["describe"] == 1


def test_given_an_admin_removes_a_picklist_value_when_a_write_is_refused_then_it_describes_again(
    daemon: Daemon,
) -> None:
    daemon.settled()
    emulator = daemon.harness.box.salesforce
    # an admin deactivates "Unresponsive" after leadloop cached the describe
    values = tuple(v for v in REASON_VALUES if v != "Unresponsive")
    emulator.redefine_lead_field(
        Field(
            "Nurture_Reason__c",
            "picklist",
            "Nurture Reason",
            255,
            custom=True,
            picklist=values,
            restricted=True,
        )
    )
    lead = edit_lead(daemon, {"Status": "Nurture", "Nurture_Reason__c": "No Response"})

    refused = daemon.cycle()  # the cached describe still offers "Unresponsive"
    refused_counts = daemon.last.counts
    edit_lead(daemon, {"Title": "VP Sales"})
    after = daemon.cycle()

    assert refused[0] is Outcome.RAN and refused[1]["describe"] == 0
    assert refused_counts["dead"] == 1
    assert after[1]["describe"] == 1  # read again: the fix is no longer offered
    assert daemon.last.counts.get("dead", 0) == 0
    assert emulator.record(lead)["Nurture_Reason__c"] == "No Response"


def test_given_a_source_in_a_cycle_when_another_thread_asks_for_it_then_it_is_refused(
    harness: Harness,
) -> None:
    kept = KeptSources(harness.settings, harness.clock)

    with kept.lend("hubspot") as source, pytest.raises(SourceInUse), kept.lend("hubspot"):
        pass

    with kept.lend("hubspot") as again:  # back: lent again, the same connector
        assert again is source
    kept.close()


def test_given_kept_connectors_when_the_daemon_stops_then_every_one_is_closed(
    daemon: Daemon,
) -> None:
    daemon.cycle("salesforce")
    daemon.cycle("hubspot")
    sf = daemon.runner.sources
    assert sf.kept() == ["hubspot", "salesforce"]

    daemon.runner.close()

    assert sf.kept() == []


def test_given_the_daemon_stopping_when_a_cycle_fires_late_then_it_is_skipped_building_nothing(
    daemon: Daemon,
) -> None:
    """A job the scheduler fires while the daemon shuts down must not log in a connector that
    nothing would close any more."""
    daemon.cycle("salesforce")
    daemon.runner.close()

    late = daemon.cycle("salesforce")

    assert late == (Outcome.SKIPPED, Counter())
    assert daemon.runner.sources.kept() == []
