"""The HubSpot connector type: its settings (``sources.<name>`` of ``type: hubspot``) and how
a connector is built from them (see :mod:`connectors.registry`)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from pydantic import Field

from connectors.base import Connector
from connectors.hubspot import client
from connectors.hubspot.connector import HubSpotConnector
from connectors.registry import BuildContext, ConnectorType, SourceSettings, Stream, url_host
from connectors.settings import (
    ConfigFile,
    DeletionsEvery,
    Lookback,
    Model,
    PullSettings,
    Secret,
    Timeout,
    WebUrl,
    WriteBackSettings,
    at_most,
    secret_text,
)


class HubSpotConnection(Model):
    base_url: WebUrl = "https://api.hubapi.com"
    access_token: Secret
    ca_bundle: ConfigFile | None = None
    timeout: Timeout = timedelta(seconds=30)
    create_missing_options: bool = False


class HubSpotPull(PullSettings):
    # the search index trails writes by a few moments
    lookback: Lookback = timedelta(minutes=10)
    page_size: Annotated[int, Field(ge=1), at_most(200, "HubSpot's search page limit")] = 200
    # search never returns archived contacts, and listing them costs a call per 100 of them
    # however little changed: an incremental sync lists them this often (a resync always)
    deletions_every: DeletionsEvery = timedelta(hours=1)

    def deletions_schedule(self) -> timedelta | None:
        return self.deletions_every


class HubSpotWriteBack(WriteBackSettings):
    batch_size: Annotated[
        int, Field(ge=1), at_most(100, "HubSpot batch endpoints take 100 records per call")
    ] = 100


def from_config(source: SourceSettings, context: BuildContext) -> Connector:
    """A :class:`HubSpotConnector` for validated settings (no network yet)."""
    settings: HubSpotConnection = source.connection
    token = secret_text(settings.access_token) or ""
    context.on_secrets([token])
    connection = client.HubSpotConnection(
        base_url=settings.base_url,
        access_token=token,
        ca_bundle=str(settings.ca_bundle) if settings.ca_bundle else None,
        timeout=settings.timeout.total_seconds(),
        create_missing_options=settings.create_missing_options,
    )
    return HubSpotConnector(
        connection,
        properties=context.fields,
        api_budget_share=context.api_budget_share,
        page_size=source.pull.page_size,
    )


#: contacts keep the legacy modstamp name lastmodifieddate (not hs_lastmodifieddate):
#: https://developers.hubspot.com/docs/api-reference/crm-contacts-v3/guide
CONTACTS = Stream("contacts", "hs_object_id", "lastmodifieddate")

CONNECTOR = ConnectorType(
    name="hubspot",
    label="HubSpot",
    default_mapping="hubspot_contact",
    connection=HubSpotConnection,
    pull=HubSpotPull,
    write_back=HubSpotWriteBack,
    streams={CONTACTS.object: CONTACTS},
    from_config=from_config,
    host=lambda connection: url_host(connection.base_url),
)
