"""A failed run's row keeps one short line: the error's class and first line, never the SQL
statement or its parameters (lead data)."""

from __future__ import annotations

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sync.logs import SUMMARY_CHARS, register_secrets, summarize
from sync.store.models import LeadRow
from tests.builders import NOW


def _duplicate_lead(session: Session) -> IntegrityError:
    row = {
        "source": "salesforce", "external_id": "00Q1", "email": "jane.doe@example.com",
        "phone": "+1 415 555 0100", "fingerprint": "x", "first_seen_at": NOW, "updated_at": NOW,
    }  # fmt: skip
    session.execute(insert(LeadRow), [row])
    with pytest.raises(IntegrityError) as raised:
        session.execute(insert(LeadRow), [row])
    return raised.value


def test_given_a_database_error_with_lead_data_when_summarized_then_only_the_cause_remains(
    session: Session,
) -> None:
    error = _duplicate_lead(session)
    assert "jane.doe@example.com" in str(error)  # what used to land in the run row

    line = summarize(error)

    assert line.startswith(("IntegrityError: UNIQUE constraint failed", "UniqueViolation: "))
    assert "jane.doe@example.com" not in line and "555" not in line and "\n" not in line
    assert "INSERT" not in line and len(line) <= SUMMARY_CHARS


def test_given_a_long_message_with_a_secret_when_summarized_then_it_is_masked_and_cut() -> None:
    register_secrets(["s3cr3t-token-value"])

    line = summarize(RuntimeError("login with s3cr3t-token-value failed " + "x" * 1000))

    assert line.startswith("RuntimeError: login with ******** failed")
    assert len(line) == SUMMARY_CHARS and line.endswith("...")
