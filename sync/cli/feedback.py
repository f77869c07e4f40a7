"""``leadloop feedback`` (aggregate, recommend, push to HubSpot) and ``leadloop report``."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

from sync.cli.base import RunFailed, config_option, emit, guarded, json_option, load, open_store

PERIODS = click.Choice(["day", "week", "month"])


def period_option(func: Any) -> Any:
    return click.option(
        "--period", type=PERIODS, help="Only this period (default: feedback.periods)."
    )(func)


def since_option(func: Any) -> Any:
    return click.option(
        "--since",
        type=click.DateTime(["%Y-%m-%d"]),
        help="Leads disqualified (funnels: created) on or after this day, in feedback.timezone.",
    )(func)


def _day(value: datetime | None) -> date | None:
    return None if value is None else value.date()


def _push_lines(push: Any) -> list[str]:
    counts = (("changed", "changed"), ("sent", "sent"), ("already", "already in HubSpot"),
              ("zeroed", "zeroed (no leads any more)"), ("conflicts", "edited by a person"),
              ("ambiguous", "ambiguous emails"), ("failed", "failed"),
              ("retry", "unconfirmed (next run)"), ("gone", "contacts gone"))  # fmt: skip
    said = ", ".join(f"{getattr(push, n)} {label}" for n, label in counts if getattr(push, n))
    lines = [f"  {push.target}: {push.records} records" + (f", {said}" if said else "")]
    lines += [f"    {problem}" for problem in push.problems]
    if push.error:
        lines.append(f"    error: {push.error}")
    return lines


def _human(report: Any) -> None:
    from sync.feedback.report.terminal import overlap_sentence

    head = "dry run: nothing stored, nothing pushed" if report.dry_run else f"run {report.run_id}"
    click.echo(f"feedback: {head}")
    click.echo("  " + "; ".join(f"{k}: {n} records" for k, n in report.records.items()))
    judged = report.judged
    click.echo(f"  recommendations: {judged.opened} raised, {judged.closed} closed this run; "
               f"{len(report.open)} open")  # fmt: skip
    for message in report.open:
        click.echo(f"    - {message}")
    click.echo("  " + overlap_sentence(report))
    for push in report.pushes:
        for line in _push_lines(push):
            click.echo(line)
    if report.pushes:
        click.echo(f"  HubSpot API calls: {report.api_calls}")


def _data(report: Any) -> dict[str, Any]:
    from dataclasses import asdict

    data = asdict(report)
    data["failed"] = report.failed
    return data


@click.command("feedback")
@config_option
@period_option
@since_option
@click.option("--push/--no-push", default=True, show_default=True,
              help="Push to feedback.target (HubSpot).")  # fmt: skip
@click.option("--dry-run", is_flag=True, help="Compute and show; store and push nothing.")
@json_option
@guarded
def feedback_command(
    config_path: Path | None,
    period: str | None,
    since: datetime | None,
    push: bool,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Aggregate disqualification reasons, judge the recommendations, push to HubSpot.

    Pushes only what changed since the last push: one custom object record per period,
    source, lead source, campaign and reason, and the sales status, reason and date on the
    HubSpot contacts of disqualified leads. Exit 1 when a target could not be pushed
    completely (the next run finishes it).
    """
    from sync.cli.base import utc_now
    from sync.feedback.step import FeedbackRequest, FeedbackStep

    settings = load(config_path)
    periods: Any = (period,) if period else ()  # click checked it is a period kind
    request = FeedbackRequest(periods, _day(since), push, dry_run)
    with open_store(settings) as sessions:
        report = FeedbackStep(settings, sessions, utc_now).run(request)  # busy: exit 3
    emit(_data(report), as_json, lambda _: _human(report))
    if report.failed:
        failed = ", ".join(p.target for p in report.pushes if p.error)
        raise RunFailed(f"feedback not pushed completely to {failed}; rerun to finish")


@click.command("report")
@config_option
@period_option
@since_option
@click.option("--html", "html_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the report as a self-contained HTML page with charts.")  # fmt: skip
@json_option
@guarded
def report_command(
    config_path: Path | None,
    period: str | None,
    since: datetime | None,
    html_path: Path | None,
    as_json: bool,
) -> None:
    """Show the feedback: reasons by source over time, funnels, the owner scorecard, the
    recommendations with their evidence and before/after.

    Brings the recommendations' history up to date (as `leadloop feedback` does); pushes
    nothing.
    """
    from sync.cli.base import utc_now
    from sync.feedback.aggregate import calendar_of
    from sync.feedback.report import html, terminal
    from sync.feedback.report.model import build_report

    settings = load(config_path)
    kind: Any = period or settings.feedback.periods[0]
    day = _day(since)
    if day is not None:  # whole periods only: from the start of the one holding the day
        day = calendar_of(settings).start(kind, day)
    with open_store(settings) as sessions, sessions() as session:
        report = build_report(session, settings, utc_now(), kind, day)
        session.commit()
    if html_path is not None:
        html_path.parent.mkdir(parents=True, exist_ok=True)
        html_path.write_text(html.render(report), encoding="utf-8")
    emit(report.as_data(), as_json, lambda _: click.echo("\n".join(terminal.render(report))))
    if html_path is not None and not as_json:
        click.echo(f"\nHTML report: {html_path}")
