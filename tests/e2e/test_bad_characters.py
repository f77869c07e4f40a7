"""Bad characters in CRM data: half a surrogate pair, a NUL byte. Stored cleaned, never fatal.

JSON can carry ``"\\ud83d"`` (half of an emoji's surrogate pair, left by a tool that cut a
string in the middle of a character) and ``"\\u0000"``; Python decodes both, but neither can be
encoded as UTF-8 for SQLite or stored in a PostgreSQL text or jsonb value. Each runs as a user
would: ``leadloop sync`` over both emulators, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from sync.cli import cli
from sync.pipeline import ingest
from sync.store.models import FindingRow, LeadRow, RawPayload, Run
from sync.store.states import RunState
from tests.e2e.conftest import Harness

HALF_EMOJI = "Acme \ud83d Ltd"
NUL = "Head\x00 of Sales"


def _sync(harness: Harness) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["sync", "-c", str(harness.config)])
    return result.exit_code, result.output + result.stderr


def _plant(harness: Harness) -> tuple[str, str]:
    """A Salesforce lead and a HubSpot contact holding half an emoji and a NUL byte."""
    lead = harness.sf_leads("working_clean")[0]["Id"]
    harness.box.salesforce.human_edit(lead, {"Company": HALF_EMOJI, "Title": NUL})
    contact = harness.hs_contacts("working_clean")[0]["id"]
    harness.box.hubspot.human_edit(contact, {"company": HALF_EMOJI, "jobtitle": NUL})
    harness.clock.advance(seconds=10)  # past HubSpot's search index lag
    return lead, contact


def _stored(harness: Harness, source: str, external_id: str) -> tuple[LeadRow, dict, list[str]]:
    with harness.sessions() as session:
        row = session.scalars(
            select(LeadRow).where(LeadRow.source == source, LeadRow.external_id == external_id)
        ).one()
        payload = session.scalars(
            select(RawPayload.payload).where(RawPayload.lead_id == row.id)
        ).one()
        messages = list(
            session.scalars(
                select(FindingRow.message).where(
                    FindingRow.lead_id == row.id,
                    FindingRow.policy == "normalize",
                    FindingRow.resolved_at.is_(None),
                )
            )
        )
    return row, payload, messages


def test_given_bad_characters_in_both_crms_when_syncing_then_both_sources_sync_every_time(
    any_store_harness: Harness,
) -> None:
    h = any_store_harness
    lead, contact = _plant(h)

    first = _sync(h)
    h.clock.advance()
    second = _sync(h)

    assert (first[0], second[0]) == (0, 0), first[1] + second[1]
    assert "Traceback" not in first[1] + second[1]
    with h.sessions() as session:
        states = [(run.source, run.state) for run in session.scalars(select(Run))]
    assert sorted(states) == sorted(
        [(s, RunState.SUCCEEDED) for s in ("salesforce", "hubspot") for _ in range(2)]
    )
    for source, record_id, (company, title) in (
        ("salesforce", lead, ("Company", "Title")),
        ("hubspot", contact, ("company", "jobtitle")),
    ):
        row, payload, messages = _stored(h, source, record_id)
        assert (row.company, row.title) == ("Acme \ufffd Ltd", "Head\ufffd of Sales")
        assert (payload[company], payload[title]) == ("Acme \ufffd Ltd", "Head\ufffd of Sales")
        assert any(company in m and "surrogate" in m for m in messages), messages
        assert any(title in m and "NUL" in m for m in messages), messages


def test_given_a_cleaned_record_when_its_bad_characters_are_fixed_then_the_findings_resolve(
    harness: Harness,
) -> None:
    lead, _ = _plant(harness)
    assert _sync(harness)[0] == 0
    harness.box.salesforce.human_edit(lead, {"Company": "Acme Ltd", "Title": "Head of Sales"})
    harness.clock.advance()

    assert _sync(harness)[0] == 0

    row, _, messages = _stored(harness, "salesforce", lead)
    assert (row.company, row.title, messages) == ("Acme Ltd", "Head of Sales", [])


def test_given_one_source_failing_unexpectedly_when_syncing_then_the_other_still_syncs(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = ingest.normalize

    def broken_for_hubspot(source: str, *args: Any) -> Any:
        if source == "hubspot":  # hubspot runs first (sources in name order)
            raise RuntimeError("simulated defect\nwith a second line")
        return real(source, *args)

    monkeypatch.setattr(ingest, "normalize", broken_for_hubspot)

    code, output = _sync(harness)

    assert code == 1 and "Traceback" not in output
    assert "error: hubspot (127.0.0.1:" in output and "RuntimeError: simulated defect" in output
    assert "with a second line" not in output  # one line: no traceback, no SQL
    with harness.sessions() as session:
        states = {source: state for source, state in session.execute(select(Run.source, Run.state))}
        error = session.scalars(select(Run.error).where(Run.source == "hubspot")).one()
    assert states == {"hubspot": RunState.FAILED, "salesforce": RunState.SUCCEEDED}
    assert error == "RuntimeError: simulated defect"
