"""Configured sources: settings + mapping -> a ready (lazy) connector."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from connectors.base import Connector
from mappings.loader import SourceMapping
from sync.config.settings import HubSpotSource, SalesforceSource, Settings
from sync.logs import register_secrets


@dataclass
class Source:
    """One configured source: its name, settings, mapping and connector."""

    name: str
    settings: SalesforceSource | HubSpotSource
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
    def batch_size(self) -> int:
        return self.settings.write_back.batch_size

    @property
    def write_back(self) -> bool:
        return self.settings.write_back.enabled


def host_of(config: SalesforceSource | HubSpotSource) -> str:
    """``host:port`` of the CRM a source talks to (its instance, else login, URL)."""
    if isinstance(config, SalesforceSource):
        url = config.connection.instance_url or config.connection.login_url
    else:
        url = config.connection.base_url
    return urlsplit(str(url)).netloc or str(url)


def _secret(value: Any) -> str | None:
    return None if value is None else str(value.get_secret_value())


def _salesforce(source: SalesforceSource, mapping: SourceMapping, share: float) -> Connector:
    from connectors.salesforce.client import (
        JwtAuth,
        PasswordAuth,
        SalesforceConnection,
        SessionAuth,
    )
    from connectors.salesforce.connector import SalesforceConnector

    conn_cfg = source.connection
    auth_cfg = conn_cfg.auth
    auth: PasswordAuth | JwtAuth | SessionAuth
    if auth_cfg.method == "password":
        auth = PasswordAuth(
            auth_cfg.username,
            _secret(auth_cfg.password) or "",
            _secret(auth_cfg.security_token) or "",
        )
    elif auth_cfg.method == "jwt":
        auth = JwtAuth(
            auth_cfg.username,
            auth_cfg.consumer_key,
            private_key_file=str(auth_cfg.private_key_file),
        )
    else:
        auth = SessionAuth(_secret(auth_cfg.session_id) or "")
    register_secrets(vars(auth).values())
    connection = SalesforceConnection(
        auth=auth,
        instance_url=conn_cfg.instance_url,
        login_url=conn_cfg.login_url,
        api_version=conn_cfg.api_version,
        ca_bundle=str(conn_cfg.ca_bundle) if conn_cfg.ca_bundle else None,
        timeout=conn_cfg.timeout.total_seconds(),
    )
    return SalesforceConnector(
        connection,
        fields=mapping.crm_fields(),
        bulk_threshold=source.pull.bulk_threshold,
        api_budget_share=share,
        query_batch_size=source.pull.page_size,
    )


def _hubspot(source: HubSpotSource, mapping: SourceMapping, share: float) -> Connector:
    from connectors.hubspot.client import HubSpotConnection
    from connectors.hubspot.connector import HubSpotConnector

    conn_cfg = source.connection
    token = _secret(conn_cfg.access_token) or ""
    register_secrets([token])
    connection = HubSpotConnection(
        base_url=conn_cfg.base_url,
        access_token=token,
        ca_bundle=str(conn_cfg.ca_bundle) if conn_cfg.ca_bundle else None,
        timeout=conn_cfg.timeout.total_seconds(),
        create_missing_options=conn_cfg.create_missing_options,
    )
    return HubSpotConnector(
        connection,
        properties=mapping.crm_fields(),
        api_budget_share=share,
        page_size=source.pull.page_size,
    )


def preload_connectors(settings: Settings) -> None:
    """Import the connector modules the configured sources use, now, from this thread.

    Sources build their connectors lazily; when the scheduler starts several sources' first
    cycles at the same instant in different threads, their first imports of the same modules
    race (a _DeadlockError or a half-initialised module). Import them once, up front.
    """
    kinds = {type(config) for config in settings.sources.values()}
    if SalesforceSource in kinds:
        import connectors.salesforce.client
        import connectors.salesforce.connector
    if HubSpotSource in kinds:
        import connectors.hubspot.client
        import connectors.hubspot.connector  # noqa: F401


def build_source(settings: Settings, name: str) -> Source:
    """The source ``name`` of ``settings`` with its connector (no network yet)."""
    config = settings.sources[name]
    mapping = settings.mapping(name)
    share = settings.api_budget_share(name)
    if isinstance(config, SalesforceSource):
        connector = _salesforce(config, mapping, share)
    else:
        connector = _hubspot(config, mapping, share)
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
