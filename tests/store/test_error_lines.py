"""A failed run's row keeps one short line: the error's class and first line, never the SQL
statement or its parameters (lead data)."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sync.logs import SUMMARY_CHARS, configure, register_secrets, summarize
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


def test_given_a_library_logging_an_error_with_lead_data_then_a_user_sees_one_line(
    session: Session, capsys: pytest.CaptureFixture[str]
) -> None:
    # given: SQLAlchemy's pool logs a failed reset with exc_info (as when Ctrl-C cuts it)
    error = _duplicate_lead(session)
    configure("info")
    try:
        # when
        logging.getLogger("sqlalchemy.pool.impl").error("Exception during reset", exc_info=error)
        printed = capsys.readouterr().err
        configure("debug")
        logging.getLogger("sqlalchemy.pool.impl").error("Exception during reset", exc_info=error)
        debug = capsys.readouterr().err
    finally:
        configure("info")

    # then: the summary, no traceback and no lead data; the traceback at debug level only
    assert "Exception during reset" in printed
    assert "IntegrityError" in printed or "UniqueViolation" in printed
    assert "Traceback" not in printed and "jane.doe@example.com" not in printed
    assert "Traceback" in debug
