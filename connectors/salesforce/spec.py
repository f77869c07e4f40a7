"""The Salesforce connector type: its settings (``sources.<name>`` of ``type: salesforce``) and
how a connector is built from them (see :mod:`connectors.registry`)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from connectors.base import Connector, secret_values
from connectors.registry import BuildContext, ConnectorType, SourceSettings, Stream, url_host
from connectors.salesforce import client
from connectors.salesforce.connector import SalesforceConnector
from connectors.salesforce.streams import StreamSpec
from connectors.settings import (
    ConfigFile,
    KeyFile,
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


class PasswordAuth(Model):
    """Username + password (+ security token unless the org trusts the caller's IP)."""

    method: Literal["password"]
    username: str = Field(min_length=1)
    password: Secret
    security_token: Secret | None = None


class JwtAuth(Model):
    """OAuth 2.0 JWT bearer flow with a connected app's certificate key."""

    method: Literal["jwt"]
    username: str = Field(min_length=1)
    consumer_key: str = Field(min_length=1)
    private_key_file: KeyFile


class SessionAuth(Model):
    """An existing session id (no login; it cannot be renewed when it expires)."""

    method: Literal["session"]
    session_id: Secret


Auth = Annotated[PasswordAuth | JwtAuth | SessionAuth, Field(discriminator="method")]


def _api_version(value: object) -> str:
    text = f"{value:.1f}" if isinstance(value, float) else str(value)
    if not text.replace(".", "", 1).isdigit() or "." not in text:
        raise ValueError('expected an API version such as "59.0"')
    return text


class SalesforceConnection(Model):
    instance_url: WebUrl | None = None
    login_url: WebUrl = "https://login.salesforce.com"
    api_version: Annotated[str, AfterValidator(_api_version)] = "59.0"
    ca_bundle: ConfigFile | None = None
    timeout: Timeout = timedelta(seconds=30)
    auth: Auth

    @model_validator(mode="after")
    def _session_needs_instance(self) -> SalesforceConnection:
        if isinstance(self.auth, SessionAuth) and self.instance_url is None:
            raise ValueError("auth method 'session' needs connection.instance_url")
        return self


class SalesforcePull(PullSettings):
    lookback: Lookback = timedelta(minutes=5)
    bulk_threshold: int = Field(default=20000, ge=0)
    page_size: Annotated[int, Field(ge=200), at_most(2000, "Salesforce's query page limit")] = 2000


class SalesforceWriteBack(WriteBackSettings):
    batch_size: Annotated[
        int, Field(ge=1), at_most(200, "Salesforce sObject Collections take 200 records per call")
    ] = 200


def _auth(settings: PasswordAuth | JwtAuth | SessionAuth) -> client.Auth:
    if isinstance(settings, PasswordAuth):
        token = secret_text(settings.security_token) or ""
        return client.PasswordAuth(settings.username, secret_text(settings.password) or "", token)
    if isinstance(settings, JwtAuth):
        key_file = str(settings.private_key_file)
        return client.JwtAuth(settings.username, settings.consumer_key, private_key_file=key_file)
    return client.SessionAuth(secret_text(settings.session_id) or "")


def from_config(source: SourceSettings, context: BuildContext) -> Connector:
    """A :class:`SalesforceConnector` for validated settings (no network yet)."""
    settings: SalesforceConnection = source.connection
    auth = _auth(settings.auth)
    context.on_secrets(secret_values(auth))
    connection = client.SalesforceConnection(
        auth=auth,
        instance_url=settings.instance_url,
        login_url=settings.login_url,
        api_version=settings.api_version,
        ca_bundle=str(settings.ca_bundle) if settings.ca_bundle else None,
        timeout=settings.timeout.total_seconds(),
    )
    stream = context.stream
    pull = source.pull
    assert isinstance(pull, SalesforcePull)
    return SalesforceConnector(
        connection,
        fields=context.fields,
        spec=StreamSpec(
            stream.object, tuple(context.fields), stream.id_field, stream.modstamp_field
        ),
        bulk_threshold=pull.bulk_threshold,
        api_budget_share=context.api_budget_share,
        query_batch_size=pull.page_size,
    )


#: SystemModstamp moves on automated edits too, and is indexed:
#: https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/system_fields.htm
LEAD = Stream("Lead", "Id", "SystemModstamp")

CONNECTOR = ConnectorType(
    name="salesforce",
    label="Salesforce",
    default_mapping="salesforce_lead",
    connection=SalesforceConnection,
    pull=SalesforcePull,
    write_back=SalesforceWriteBack,
    streams={LEAD.object: LEAD},
    from_config=from_config,
    host=lambda connection: url_host(connection.instance_url or connection.login_url),
)
