"""The config's typed sections (``store``, ``sources``, ``reasons``, ``limits``).

Every model forbids unknown keys. ``config/leadloop.example.yaml`` documents every key;
``config/leadloop.schema.json`` is generated from these models.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from sync.config.durations import Duration
from sync.config.types import Cron, ExistingFile, Secret, StoreUrl, WebUrl

SOURCE_NAME = r"^[a-z][a-z0-9_]*$"


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _positive(value: timedelta) -> timedelta:
    if value <= timedelta(0):
        raise ValueError("must be longer than zero")
    return value


PositiveDuration = Annotated[Duration, AfterValidator(_positive)]
Share = Annotated[float, Field(gt=0, le=1, description="a fraction in (0, 1]")]


def _at_most(limit: int, why: str) -> AfterValidator:
    def check(value: int) -> int:
        if value > limit:
            raise ValueError(f"at most {limit} ({why})")
        return value

    return AfterValidator(check)


class StoreConfig(Model):
    """Where leadloop keeps leads, cursors, the outbox and runs."""

    url: StoreUrl

    @property
    def dsn(self) -> str:
        """The database URL with its password, for the engine only (never print it)."""
        return self.url.get_secret_value()


class Schedule(Model):
    """When the scheduler runs a source: every fixed interval, or on a cron expression (UTC)."""

    every: PositiveDuration | None = None
    cron: Cron | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Schedule:
        if (self.every is None) == (self.cron is None):
            raise ValueError("give exactly one of 'every' (e.g. 15m) or 'cron'")
        return self


# ------------------------------------------------------------------------------ Salesforce


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
    private_key_file: ExistingFile


class SessionAuth(Model):
    """An existing session id (no login; it cannot be renewed when it expires)."""

    method: Literal["session"]
    session_id: Secret


SalesforceAuth = Annotated[PasswordAuth | JwtAuth | SessionAuth, Field(discriminator="method")]


def _api_version(value: object) -> str:
    text = f"{value:.1f}" if isinstance(value, float) else str(value)
    if not text.replace(".", "", 1).isdigit() or "." not in text:
        raise ValueError('expected an API version such as "59.0"')
    return text


class SalesforceConnection(Model):
    instance_url: WebUrl | None = None
    login_url: WebUrl = "https://login.salesforce.com"
    api_version: Annotated[str, AfterValidator(_api_version)] = "59.0"
    ca_bundle: ExistingFile | None = None
    timeout: PositiveDuration = timedelta(seconds=30)
    auth: SalesforceAuth

    @model_validator(mode="after")
    def _session_needs_instance(self) -> SalesforceConnection:
        if isinstance(self.auth, SessionAuth) and self.instance_url is None:
            raise ValueError("auth method 'session' needs connection.instance_url")
        return self


class SalesforcePull(Model):
    lookback: Duration = timedelta(minutes=5)
    bulk_threshold: int = Field(default=20000, ge=0)
    page_size: Annotated[int, Field(ge=200), _at_most(2000, "Salesforce's query page limit")] = 2000


class SalesforceWriteBack(Model):
    enabled: bool = True
    batch_size: Annotated[
        int, Field(ge=1), _at_most(200, "Salesforce sObject Collections take 200 records per call")
    ] = 200


class _SourceCommon(Model):
    """What every source has besides its type, connection, mapping, pull and write-back."""

    schedule: Schedule | None = None
    api_budget_share: Share | None = None


class SalesforceSource(_SourceCommon):
    type: Literal["salesforce"]
    connection: SalesforceConnection
    mapping: str = "salesforce_lead"
    pull: SalesforcePull = SalesforcePull()
    write_back: SalesforceWriteBack = SalesforceWriteBack()


# ------------------------------------------------------------------------------ HubSpot


class HubSpotConnection(Model):
    base_url: WebUrl = "https://api.hubapi.com"
    access_token: Secret
    ca_bundle: ExistingFile | None = None
    timeout: PositiveDuration = timedelta(seconds=30)
    create_missing_options: bool = False


class HubSpotPull(Model):
    # the search index trails writes by a few seconds to minutes
    lookback: Duration = timedelta(minutes=10)
    page_size: Annotated[int, Field(ge=1), _at_most(200, "HubSpot's search page limit")] = 200


class HubSpotWriteBack(Model):
    enabled: bool = True
    batch_size: Annotated[
        int, Field(ge=1), _at_most(100, "HubSpot batch endpoints take 100 records per call")
    ] = 100


class HubSpotSource(_SourceCommon):
    type: Literal["hubspot"]
    connection: HubSpotConnection
    mapping: str = "hubspot_contact"
    pull: HubSpotPull = HubSpotPull()
    write_back: HubSpotWriteBack = HubSpotWriteBack()


SourceConfig = Annotated[SalesforceSource | HubSpotSource, Field(discriminator="type")]


def _source_name(value: str) -> str:
    if (
        not value
        or not value[0].isascii()
        or not value[0].islower()
        or not all(c.isascii() and (c.islower() or c.isdigit() or c == "_") for c in value)
    ):
        raise ValueError(
            f"source name {value!r} must be lower-case letters, digits and _, "
            "starting with a letter"
        )
    return value


SourceName = Annotated[str, AfterValidator(_source_name)]

# ------------------------------------------------------------------------------ the rest


class ReasonsConfig(Model):
    catalogue: str = Field(default="default", description="'default' or a path to a catalogue YAML")


class ChangeBudget(Model):
    max_records: int = Field(default=500, ge=1)
    max_percent: float = Field(default=10, gt=0, le=100)


class LimitsConfig(Model):
    api_budget_share: Share = 0.5
    change_budget: ChangeBudget = ChangeBudget()
