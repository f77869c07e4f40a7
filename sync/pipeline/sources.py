"""Configured sources: settings + mapping -> a ready (lazy) connector."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from connectors.base import Connector
from connectors.registry import BuildContext, Stream, connector_type
from mappings.loader import SourceMapping
from sync.config.settings import Settings
from sync.config.sources import SourceCommon
from sync.logs import register_secrets


@dataclass
class Source:
    """One configured source: its name, settings, mapping and connector."""

    name: str
    settings: SourceCommon
    mapping: SourceMapping
    connector: Connector

    @property
    def host(self) -> str:
        """The CRM host this source talks to (for messages; never a secret)."""
        return host_of(self.settings)

    def describe(self) -> str:
        """``name (host)``: how messages name the source."""
        return f"{self.name} ({self.host})"

    @property
    def lookback(self) -> timedelta:
        return self.settings.pull.lookback

    @property
    def deletions_every(self) -> timedelta | None:
        """How often an incremental sync lists deletions (None: they come with the changes)."""
        return self.settings.pull.deletions_schedule()

    @property
    def batch_size(self) -> int:
        return self.settings.write_back.batch_size

    @property
    def write_back(self) -> bool:
        return self.settings.write_back.enabled


def host_of(config: SourceCommon) -> str:
    """``host:port`` of the CRM a source talks to, as its connector type tells it."""
    return connector_type(config.type).host(config.connection)


def preload_connectors(settings: Settings) -> None:
    """Import the connector modules the configured sources use, now, from this thread.

    When the scheduler starts several sources' first cycles at the same instant in different
    threads, their first imports of the same modules race (a _DeadlockError or a
    half-initialised module). The registry imports every connector's modules once, up front.
    """
    for config in settings.sources.values():
        connector_type(config.type)


def build_source(settings: Settings, name: str) -> Source:
    """The source ``name`` of ``settings`` with its connector (no network yet), built by the
    connector type the config names (:mod:`connectors.registry`)."""
    config = settings.sources[name]
    mapping = settings.mapping(name)
    keys = mapping.stream
    context = BuildContext(
        fields=mapping.crm_fields(),
        stream=Stream(keys.object, keys.id_field, keys.modstamp_field),
        api_budget_share=settings.api_budget_share(name),
        on_secrets=register_secrets,
    )
    connector = connector_type(config.type).from_config(config, context)
    return Source(name, config, mapping, connector)


@contextmanager
def open_sources(
    settings: Settings, names: Sequence[str] | None = None
) -> Iterator[dict[str, Source]]:
    """Build the named sources (all when None), and close their connectors afterwards."""
    unknown = sorted(set(names or ()) - set(settings.sources))
    if unknown:
        raise KeyError(
            f"no source named {', '.join(unknown)} (configured: "
            f"{', '.join(sorted(settings.sources)) or 'none'})"
        )
    sources = {name: build_source(settings, name) for name in (names or sorted(settings.sources))}
    try:
        yield sources
    finally:
        for source in sources.values():
            source.connector.close()
