"""``run --metrics-port``: Prometheus metrics of the cycles and the store, and /healthz."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from sync.lease import Worker
from sync.metrics import MetricsServer
from sync.scheduler import SourceRunner
from tests.builders import FrozenClock
from tests.scheduler.conftest import Harness, scheduled


@pytest.fixture
def server(harness: Harness) -> Iterator[MetricsServer]:
    scheduled(harness, salesforce="{every: 15m}", hubspot="{every: 15m}")
    serving = MetricsServer(harness.settings, harness.sessions, "127.0.0.1", 0, 3, harness.clock)
    yield serving
    serving.stop()


def _get(server: MetricsServer, path: str) -> requests.Response:
    return requests.get(f"http://127.0.0.1:{server.port}{path}", timeout=10)


def test_given_a_cycle_when_metrics_are_scraped_then_runs_records_writes_and_the_store_show(
    harness: Harness, server: MetricsServer
) -> None:
    runner = SourceRunner(
        harness.settings, harness.sessions, harness.clock, Worker.current(), server.observe
    )
    runner("salesforce")

    samples = _samples(_get(server, "/metrics").text)

    sf = (("crm", "salesforce"), ("source", "salesforce"))
    assert samples[("leadloop_runs_total", (*sf[:1], ("outcome", "ran"), *sf[1:]))] == 1
    assert samples[("leadloop_records_pulled_total", sf)] == 200
    assert samples[("leadloop_corrections_total", (*sf[:1], ("outcome", "sent"), *sf[1:]))] > 0
    assert samples[("leadloop_api_calls_total", sf)] > 0
    assert samples[("leadloop_api_remaining", sf)] > 0
    assert samples[("leadloop_outbox_items", (("source", "salesforce"), ("state", "sent")))] > 0
    open_findings = (
        "leadloop_findings_open",
        (("policy", "require_reason"), ("source", "salesforce")),
    )
    assert samples[open_findings] > 0
    last = samples[("leadloop_last_success_timestamp_seconds", (("source", "salesforce"),))]
    assert last == harness.clock().timestamp()


def test_given_a_daemon_keeping_its_connector_when_cycles_run_then_api_calls_add_up_once(
    harness: Harness, server: MetricsServer
) -> None:
    runner = SourceRunner(
        harness.settings, harness.sessions, harness.clock, Worker.current(), server.observe
    )
    for _ in range(4):  # a full cycle, the one reading its writes back, two with nothing to do
        runner("salesforce")
        harness.clock.advance(minutes=15)
    runner.close()

    samples = _samples(_get(server, "/metrics").text)

    sf = (("crm", "salesforce"), ("source", "salesforce"))
    assert samples[("leadloop_api_calls_total", sf)] == sum(harness.box.salesforce.calls.values())


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_given_a_source_without_success_for_three_intervals_when_healthz_then_it_fails(
    harness: Harness, server: MetricsServer
) -> None:
    clock: FrozenClock = harness.clock
    runner = SourceRunner(harness.settings, harness.sessions, clock, Worker.current())
    runner("salesforce")
    runner("hubspot")
    assert _get(server, "/healthz").status_code == 200

    clock.advance(timedelta(minutes=46))
    runner("hubspot")

    answer = _get(server, "/healthz")
    assert answer.status_code == 503
    assert answer.text.startswith("salesforce: no successful run since ")
    assert "hubspot" not in answer.text
