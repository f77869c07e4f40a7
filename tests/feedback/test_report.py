"""The report: what the terminal and the HTML page say about the dataset, that the page
references nothing outside itself, and (Chromium) that it renders to a non-blank page."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from sync.feedback.report import html, terminal
from sync.feedback.report.charts import MAX_TICKS, compliance_chart
from sync.feedback.report.model import Report, build_report
from sync.store.funnel import FunnelRow
from tests.feedback.dataset import NOW
from tests.feedback.support import settings_for

RULE = """\
  timezone: Europe/Berlin
  recommendations:
    - name: unresponsive_webinars
      when: {reason: unresponsive, lead_source: Webinar, min_count: 2, min_share: 0.4}
      then: "{reason} is {share:.0%} of {lead_source} / {campaign} leads: raise the score"
"""
CHROMIUM_MISSING = "Chromium not installed (Debian's chromium package; .ci/run installs it)"


@pytest.fixture
def report(stored: Session, tmp_path: Path) -> Report:
    settings = settings_for(tmp_path, "sqlite://", RULE)
    built = build_report(stored, settings, NOW, "week")
    stored.commit()
    return built


def test_given_the_dataset_then_the_terminal_report_says_what_marketing_needs(
    report: Report,
) -> None:
    lines = terminal.render(report)
    text = "\n".join(lines)

    # salesforce's weeks of 23 Feb, 2 Mar and 9 Mar (hubspot's table comes first)
    assert cells(lines, "Unresponsive")[1] == ["0%", "50%", "0%"]
    assert cells(lines, "salesforce")[1][:6] == ["10", "80%", "40%", "10%", "75%", "25%"]
    assert cells(lines, "rep-a")[0] == ["5", "3", "60%", "2", "2"]
    assert "unresponsive is 50% of Webinar / Spring leads: raise the score" in text
    assert "evidence (week of 2026-03-02): 2 of 4 disqualified leads (50%)" in text
    assert "1 disqualified person is in more than one source" in text


def test_given_the_dataset_then_the_page_holds_every_section_and_the_numbers(
    report: Report,
) -> None:
    page = html.render(report)

    for title in ("Reasons by source over time", "Reason-fill compliance", "The funnel",
                  "Owner scorecard", "Recommendations", "People in both CRMs"):  # fmt: skip
        assert f"<h2>{title}</h2>" in page
    assert page.count("<svg") == 6  # two sources' reasons, compliance, funnel, owners, effects
    assert "<td>rep-a</td><td>5</td><td>3</td><td>60%</td>" in page
    assert "unresponsive is 50% of Webinar / Spring leads: raise the score" in page


def cells(lines: list[str], label: str) -> list[list[str]]:
    """The cells after ``label`` of every table row that starts with it."""
    return [line.split()[1:] for line in lines if line.strip().startswith(label + " ")]


class _References(HTMLParser):
    """Every attribute that could make a browser fetch something."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        for name, value in attrs:
            if name in ("href", "src", "xlink:href", "srcset", "action", "data", "poster"):
                self.links.append(value or "")


def test_the_page_references_nothing_outside_itself(report: Report) -> None:
    page = html.render(report)
    found = _References()
    found.feed(page)

    assert all(link.startswith("#") for link in found.links), found.links
    assert not found.tags & {"script", "link", "img", "iframe", "object", "embed", "base"}
    for needle in ("http:", "https:", "//", "@import", "file:", "data:"):
        assert needle not in page, needle
    assert re.findall(r"url\((?!#)", page) == []  # url(#clip) points inside the page


def test_given_an_empty_store_then_the_report_says_so_and_still_renders(
    session: Session, tmp_path: Path
) -> None:
    settings = settings_for(tmp_path, "sqlite://", RULE)
    empty = build_report(session, settings, NOW, "month")

    text = "\n".join(terminal.render(empty))
    page = html.render(empty)

    assert "No disqualified leads in the window." in text
    assert "No recommendation has held yet." in page


def test_given_chromium_then_the_page_renders_to_a_non_blank_screenshot(
    report: Report, tmp_path: Path
) -> None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        if os.environ.get("LEADLOOP_REQUIRE_CHROMIUM") == "1":
            pytest.fail(CHROMIUM_MISSING)
        pytest.skip(CHROMIUM_MISSING)
    page, shot = tmp_path / "report.html", tmp_path / "report.png"
    page.write_text(html.render(report), encoding="utf-8")

    subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1200,2400",
         f"--screenshot={shot}", page.as_uri()],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip

    from matplotlib.image import imread

    pixels = imread(shot)[:, :, :3]
    ink = (pixels < 0.9).any(axis=2).mean()  # share of pixels that are not near-white
    colours = {tuple(p) for p in (pixels[::7, ::7] * 255).astype(int).reshape(-1, 3).tolist()}
    assert ink > 0.03, f"the page looks blank: {ink:.1%} of pixels are not white"
    assert len(colours) > 20, "the page has too few colours for text and charts"


def test_given_forty_weeks_when_charted_then_twelve_labels_at_most_the_newest_among_them() -> None:
    # given: forty weekly cohorts of one source
    weeks = [f"2026-{1 + n // 4:02d}-{1 + 7 * (n % 4):02d}" for n in range(40)]
    trend = [
        FunnelRow((week, "salesforce"), 10, 5, 3, 2, 0, 4, 1, 0.5, 0.3, 0.0, 0.8, 0.2)
        for week in weeks
    ]

    # when
    page = compliance_chart(trend)

    # then: the labels do not overlap, and the newest period is named
    shown = [week for week in weeks if f">{week}<" in page]
    assert 1 < len(shown) <= MAX_TICKS
    assert shown[-1] == weeks[-1]
