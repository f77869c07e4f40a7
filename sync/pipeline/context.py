"""The policies' view of a source for one run, built once and only when a record needs it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from sync.config.settings import Settings
from sync.domain import REASON_FIELDS
from sync.pipeline.policies import PolicyContext
from sync.pipeline.sources import Source
from sync.pipeline.writability import review_flag_form
from sync.store import review_tasks


def policy_context(
    settings: Settings, source: Source, now: datetime, session: Session
) -> PolicyContext:
    """The policies' view of ``source``: catalogue, picklist options (one describe), the form
    of its review flags (and, for the task channel, the leads' open tasks), now."""
    options = {}
    for name in REASON_FIELDS:
        if name in source.mapping.fields:
            options[name] = source.connector.field_options(source.mapping.crm_field(name))
    mapping = source.mapping
    writable = {name for name, spec in mapping.fields.items() if spec.writable}
    if mapping.status_write_values:
        writable.add("status")
    if mapping.flags:
        writable.add("review_flag")
    tasks = mapping.flag_channel == "task"
    return PolicyContext(
        catalogue=settings.catalogue_for(source.name),
        crm=mapping.crm,
        now=now,
        config=settings.policies,
        field_options=options,
        review_flag=mapping.flags,
        flag_form=review_flag_form(mapping, source.connector),
        open_flags=review_tasks.open_texts(session, source.name) if tasks else None,
        writable=frozenset(writable),
    )


class LazyContext:
    """Builds the policy context (one describe call) only when a record needs it, under
    ``lock`` (see :meth:`sync.pipeline.engine.Engine._overlapped`)."""

    def __init__(self, build: Callable[[], PolicyContext]):
        self._build = build
        self._value: PolicyContext | None = None
        self.lock = threading.Lock()

    def get(self) -> PolicyContext:
        if self._value is None:
            with self.lock:
                self._value = self._build()
        return self._value
