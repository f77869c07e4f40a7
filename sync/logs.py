"""Logging to stderr, human-readable or JSON lines, with known secrets masked."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from sync.pipeline.clean import printable

_SECRETS: set[str] = set()
#: what every log line of the current run carries: run_id, source, stage
_CONTEXT: ContextVar[Mapping[str, object]] = ContextVar(
    "leadloop_log_context", default=MappingProxyType({})
)
MASK = "********"


def register_secrets(values: Iterable[str | None]) -> None:
    """Remember secret values so that no log line ever shows them (tokens, passwords...)."""
    _SECRETS.update(v for v in values if v and len(v) >= 4)


def redact(text: str) -> str:
    """``text`` with every registered secret replaced by a mask."""
    for secret in _SECRETS:
        if secret in text:
            text = text.replace(secret, MASK)
    return text


#: longest error summary kept on a run row
SUMMARY_CHARS = 300


def summarize(exc: BaseException) -> str:
    """One short, redacted line for a run row or a user: the error's class, the first line of
    its message and the record it concerns; never a traceback, SQL or its parameters."""
    # a SQLAlchemy error's text embeds the statement and its parameters (lead data): show the
    # driver's own error instead, whose first line names the constraint, not the values
    cause = getattr(exc, "orig", None)
    shown = cause if isinstance(cause, BaseException) else exc
    lines = str(shown).strip().splitlines()
    text = f"{type(shown).__name__}: {lines[0]}" if lines else type(shown).__name__
    record = getattr(exc, "record_id", None)
    if record and str(record) not in text:
        text += f" (record {record})"
    # an error quoting CRM data may hold half a surrogate pair: no run row could store it
    text = printable(redact(text))
    return text if len(text) <= SUMMARY_CHARS else text[: SUMMARY_CHARS - 3] + "..."


@contextmanager
def context(**fields: object) -> Iterator[None]:
    """Within the block, log records carry ``fields`` (e.g. ``run_id``, ``source``, ``stage``)."""
    token = _CONTEXT.set({**_CONTEXT.get(), **fields})
    try:
        yield
    finally:
        _CONTEXT.reset(token)


class _ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in _CONTEXT.get().items():
            if not hasattr(record, key):
                setattr(record, key, value)
        return True


class _RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if clean != message or record.args:
            record.msg, record.args = clean, None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and any ``extra`` fields."""

    _standard = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message"}

    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        payload.update({k: v for k, v in vars(record).items() if k not in self._standard})
        if record.exc_info:
            payload["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(payload, default=str, ensure_ascii=False)


class HumanFormatter(logging.Formatter):
    """``HH:MM:SS LEVEL logger: message``. A record's exception shows as its one-line summary
    (:func:`summarize`), its traceback only at debug level: a library logging an error with
    ``exc_info`` (SQLAlchemy's pool when Ctrl-C cuts a rollback) never puts a traceback, or
    the lead data in its text, in front of a user."""

    def __init__(self, tracebacks: bool):
        super().__init__("%(asctime)s %(levelname)-7s %(name)s: %(message)s", "%H:%M:%S")
        self.tracebacks = tracebacks

    def formatException(self, ei: Any) -> str:
        if self.tracebacks:
            return redact(super().formatException(ei))
        shown = summarize(ei[1]) if ei[1] is not None else "an exception"
        return f"  ({shown}; --log-level debug shows the traceback)"


def configure(level: str = "info", fmt: str = "human") -> None:
    """Send log records to stderr in the chosen format. Safe to call more than once."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_ContextFilter())
    handler.addFilter(_RedactingFilter())
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(HumanFormatter(tracebacks=level.lower() == "debug"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("urllib3", "simple_salesforce", "hubspot", "alembic", "apscheduler"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
