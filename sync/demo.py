"""``leadloop demo``: both sandboxes, a temporary SQLite store, one full loop, and its story."""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from sync.store.states import OutboxState
from sync.store.summary import leads_per_source, open_findings_per_source, outbox_outcomes

CONFIG = """\
# Written by `leadloop demo`: the two emulators it started (now stopped) and its store.
store:
  url: {store}
sources:
  salesforce:
    type: salesforce
    connection:
      instance_url: {salesforce_url}
      login_url: {salesforce_url}
      timeout: 10s
      auth:
        method: password
        username: admin@leadloop.sandbox
        password: {{file: secrets/salesforce-password}}
        security_token: {{file: secrets/salesforce-token}}
    mapping: salesforce_lead
  hubspot:
    type: hubspot
    connection:
      base_url: {hubspot_url}
      access_token: {{file: secrets/hubspot-token}}
      timeout: 10s
      create_missing_options: true
    mapping: hubspot_contact
policies:
  low_score_nurture: {{enabled: true, mode: fix}}
  wants_call_reopen: {{enabled: true}}
feedback:
  target: hubspot
  # the demo's org is small: its rule judges months and each source as a whole (by: [])
  recommendation_period: month
  recommendations:
    - name: unresponsive_despite_contact_data
      when: {{reason: unresponsive, min_share: 0.25, min_count: 4, min_valid_contact_share: 0.5}}
      by: []
      then: >-
        unresponsive is {{share:.0%}} of {{source}}'s disqualified leads in {{period}} and
        {{valid_contact_share:.0%}} of them have valid contact data: raise the interest-score
        threshold before leads reach sales
limits:
  api_budget_share: 1.0
  change_budget: {{max_records: 10000, max_percent: 100}}
"""

SECRETS = {
    "salesforce-password": "sandbox-password",
    "salesforce-token": "sandbox-token",
    "hubspot-token": "pat-sandbox-token",
}


@dataclass
class Story:
    """What one demo loop found and did, per source."""

    directory: Path
    config: Path
    leads: Counter[str] = field(default_factory=Counter)
    fixed: dict[str, Counter[str]] = field(default_factory=dict)  # source -> policy/field
    flagged: dict[str, Counter[str]] = field(default_factory=dict)  # source -> policy
    not_written: dict[str, Counter[str]] = field(default_factory=dict)  # source -> state
    api_calls: dict[str, int] = field(default_factory=dict)
    feedback: list[str] = field(default_factory=list)  # what the feedback step did
    report: Path | None = None


def write_config(
    directory: Path, salesforce_url: str, hubspot_url: str, store_url: str | None = None
) -> Path:
    """The demo's config file (and its secret files) in ``directory``."""
    secrets = directory / "secrets"
    secrets.mkdir(parents=True, exist_ok=True)
    for name, value in SECRETS.items():
        (secrets / name).write_text(value + "\n", encoding="utf-8")
    path = directory / "leadloop.yaml"
    store = store_url or f"sqlite:///{directory / 'leadloop.db'}"
    path.write_text(
        CONFIG.format(store=store, salesforce_url=salesforce_url, hubspot_url=hubspot_url),
        encoding="utf-8",
    )
    return path


def _collect(session: Session, story: Story) -> None:
    story.leads.update(leads_per_source(session))
    for source, policy, field_name, state in outbox_outcomes(session):
        if state is OutboxState.SENT and field_name == "review_flag":
            continue
        bucket = story.fixed if state is OutboxState.SENT else story.not_written
        label = f"{policy}: {field_name}" if state is OutboxState.SENT else state.value
        bucket.setdefault(source, Counter())[label] += 1
    for source, policy in open_findings_per_source(session):
        story.flagged.setdefault(source, Counter())[policy] += 1


def run_demo(
    leads: int = 200,
    contacts: int = 120,
    seed: int = 42,
    directory: Path | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    quirks_off: frozenset[str] = frozenset(),
) -> Story:
    """Start the sandboxes, sync both sources once into a fresh SQLite store, stop them.

    ``quirks_off`` names realistic emulator behaviours to switch off (all are on by default).
    """
    from connectors.sandbox.runner import Sandbox, SandboxOptions
    from sync.config.settings import load_settings
    from sync.pipeline.engine import Engine, SyncRequest
    from sync.pipeline.sources import open_sources
    from sync.store.db import make_engine, session_factory, upgrade

    directory = directory or Path(tempfile.mkdtemp(prefix="leadloop-demo-"))
    options = SandboxOptions(leads=leads, contacts=contacts, seed=seed, quirks_off=quirks_off)
    with Sandbox(options) as box:
        config = write_config(directory, box.salesforce_url, box.hubspot_url)
        story = Story(directory, config)
        settings = load_settings(config)
        engine = make_engine(settings.store.dsn)
        try:
            upgrade(engine)
            sessions = session_factory(engine)
            with open_sources(settings) as sources:
                loop = Engine(settings, sessions, clock)
                for source in sources.values():
                    loop.sync(source, SyncRequest())
                    story.api_calls[source.name] = source.connector.usage.calls
            with sessions() as session:
                _collect(session, story)
            _feedback(settings, sessions, clock, story)
        finally:
            engine.dispose()
    return story


def _feedback(settings: Any, sessions: Any, clock: Callable[[], datetime], story: Story) -> None:
    """The loop's last step: aggregate, push to HubSpot, and write the HTML report."""
    from sync.feedback.report import html
    from sync.feedback.report.model import build_report
    from sync.feedback.step import FeedbackRequest, FeedbackStep

    report = FeedbackStep(settings, sessions, clock).run(FeedbackRequest())
    weekly = report.records.get("week", 0)
    story.feedback.append(f"{weekly} weekly reason aggregates, {report.judged.opened} "
                          f"recommendations raised")  # fmt: skip
    for push in report.pushes:
        outcome = f"error: {push.error}" if push.error else f"{push.sent} sent"
        story.feedback.append(f"{push.target}: {push.records} records, {outcome}")
    with sessions() as session:
        built = build_report(session, settings, clock(), "week")
        session.commit()
    for view in built.recommendations[:3]:  # the newest first
        state = "open" if view.open else "closed"
        story.feedback.append(f"[{state}] {view.message}")
    story.report = story.directory / "report.html"
    story.report.write_text(html.render(built), encoding="utf-8")


def render(story: Story) -> list[str]:
    """The story as terminal lines."""
    lines = ["leadloop demo: one full loop against the sandbox Salesforce and HubSpot", ""]
    for source in sorted(story.leads):
        lines.append(
            f"{source}: {story.leads[source]} leads pulled in "
            f"{story.api_calls.get(source, 0)} API calls"
        )
        fixed = story.fixed.get(source, Counter())
        lines.append(f"  fixed in {source}: {sum(fixed.values())} field values")
        lines += [f"    {n:4d}  {label}" for label, n in sorted(fixed.items())]
        flagged = story.flagged.get(source, Counter())
        lines.append(f"  flagged for a human: {sum(flagged.values())} open findings")
        lines += [f"    {n:4d}  {label}" for label, n in sorted(flagged.items())]
        held = story.not_written.get(source, Counter())
        if held:
            lines.append("  not written: " + ", ".join(f"{n} {s}" for s, n in sorted(held.items())))
        lines.append("")
    if story.feedback:
        lines.append("feedback to marketing (pushed to HubSpot):")
        lines += [f"  {line}" for line in story.feedback]
        lines.append("")
    lines += [
        "Look further (the emulators are stopped; the store stays):",
        f"  leadloop status -c {story.config}",
        f"  leadloop report -c {story.config}",
        f"  store: {story.directory / 'leadloop.db'}",
    ]
    if story.report is not None:
        lines.append(f"  report: {story.report}")
    return lines
