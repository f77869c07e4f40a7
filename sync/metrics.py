"""``leadloop run --metrics-port N``: Prometheus metrics on ``/metrics``, health on ``/healthz``.

Counters describe what this worker did (runs by outcome, records pulled, write outcomes, API
calls); gauges read from the store at scrape time describe the whole fleet (open findings by
policy, outbox items by state, last success per source). ``/healthz`` answers 503 when a
scheduled source has not succeeded for N of its intervals.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter as Tally
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

from prometheus_client import CollectorRegistry, Counter, Gauge, make_wsgi_app
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy.orm import Session, sessionmaker

from sync.config.settings import Settings
from sync.pipeline.lifecycle import SourceReport
from sync.scheduler import Outcome, interval_of, scheduled_sources
from sync.store import summary

log = logging.getLogger(__name__)
#: outbox outcomes counted per write (the run's counts use the same names)
WRITE_OUTCOMES = ("sent", "conflict", "retry", "dead", "held")


class StoreCollector(Collector):
    """Gauges read from the store at each scrape."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def collect(self) -> Iterator[Metric]:
        findings = GaugeMetricFamily(
            "leadloop_findings_open",
            "Open findings by source and policy",
            labels=["source", "policy"],
        )
        outbox = GaugeMetricFamily(
            "leadloop_outbox_items", "Outbox items by source and state", labels=["source", "state"]
        )
        success = GaugeMetricFamily(
            "leadloop_last_success_timestamp_seconds",
            "When the source's last successful run finished (Unix time)",
            labels=["source"],
        )
        with self.sessions() as session:
            for (source, policy), n in sorted(
                Tally(summary.open_findings_per_source(session)).items()
            ):
                findings.add_metric([source, policy], n)
            for (source, state), n in sorted(summary.outbox_by_state(session).items()):
                outbox.add_metric([source, state], n)
            for source, at in sorted(summary.last_successes(session).items()):
                success.add_metric([source], at.timestamp())
        yield from (findings, outbox, success)


class Metrics:
    """This worker's counters, and the store's gauges, in one registry."""

    def __init__(self, settings: Settings, sessions: sessionmaker[Session]) -> None:
        self.settings = settings
        self.registry = CollectorRegistry()
        labels = ["source", "crm"]
        self.runs = Counter(
            "leadloop_runs", "Cycles by outcome", [*labels, "outcome"], registry=self.registry
        )
        self.pulled = Counter(
            "leadloop_records_pulled", "Records pulled", labels, registry=self.registry
        )
        self.writes = Counter(
            "leadloop_corrections",
            "Corrections by write outcome",
            [*labels, "outcome"],
            registry=self.registry,
        )
        self.calls = Counter(
            "leadloop_api_calls", "CRM API calls made", labels, registry=self.registry
        )
        self.remaining = Gauge(
            "leadloop_api_remaining",
            "The CRM's remaining daily API allowance, as it last reported it",
            labels,
            registry=self.registry,
        )
        self.registry.register(StoreCollector(sessions))

    def observe(self, name: str, outcome: Outcome, report: SourceReport | None) -> None:
        """Count one scheduled cycle (the scheduler's observer)."""
        crm = self.settings.sources[name].type
        self.runs.labels(name, crm, outcome.value).inc()
        if report is None:
            return
        counts = report.counts
        self.pulled.labels(name, crm).inc(counts.get("pulled", 0))
        for state in WRITE_OUTCOMES:
            self.writes.labels(name, crm, state).inc(counts.get(state, 0))
        self.calls.labels(name, crm).inc(counts.get("api_calls", 0))
        if "api_limit" in counts:
            self.remaining.labels(name, crm).set(counts["api_limit"] - counts.get("api_used", 0))


def unhealthy(
    settings: Settings,
    sessions: sessionmaker[Session],
    since: datetime,
    now: datetime,
    intervals: int,
) -> list[str]:
    """Scheduled sources that have not succeeded for ``intervals`` of their intervals (counted
    from ``since``, the daemon's start, for a source that never succeeded)."""
    with sessions() as session:
        last = summary.last_successes(session)
    problems = []
    for name in scheduled_sources(settings):
        schedule = settings.sources[name].schedule
        assert schedule is not None
        limit = interval_of(schedule, now) * intervals
        seen = max(last.get(name, since), since)
        if now - seen > limit:
            problems.append(f"{name}: no successful run since {seen:%Y-%m-%d %H:%M:%S} UTC")
    return problems


Clock = Callable[[], datetime]


def wsgi_app(
    metrics: Metrics, sessions: sessionmaker[Session], intervals: int, clock: Clock
) -> Any:
    """``/metrics`` and ``/healthz`` as one WSGI application."""
    started = clock()
    prometheus = make_wsgi_app(metrics.registry)

    def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/metrics":
            return prometheus(environ, start_response)
        if path == "/healthz":
            problems = unhealthy(metrics.settings, sessions, started, clock(), intervals)
            status = "503 Service Unavailable" if problems else "200 OK"
            start_response(status, [("Content-Type", "text/plain; charset=utf-8")])
            return [("\n".join(problems) or "ok").encode() + b"\n"]
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found: try /metrics or /healthz\n"]

    return app


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        log.debug("metrics: " + format, *args)


class MetricsServer:
    """Metrics and health served from a background thread; :attr:`observe` feeds it."""

    def __init__(
        self,
        settings: Settings,
        sessions: sessionmaker[Session],
        host: str,
        port: int,
        intervals: int,
        clock: Clock = lambda: datetime.now(UTC),
    ) -> None:
        self.metrics = Metrics(settings, sessions)
        app = wsgi_app(self.metrics, sessions, intervals, clock)
        self.server = make_server(host, port, app, handler_class=_Quiet)
        self.port = self.server.server_port
        threading.Thread(target=self.server.serve_forever, name="metrics", daemon=True).start()
        log.info("metrics on http://%s:%d/metrics, health on /healthz", host, self.port)

    def observe(self, name: str, outcome: Outcome, report: SourceReport | None) -> None:
        self.metrics.observe(name, outcome, report)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
