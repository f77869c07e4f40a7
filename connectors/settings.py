"""What a connector's settings are made of: the pydantic pieces every CRM's config model uses.

A connector declares its own ``connection``, ``pull`` and ``write_back`` models from these
(see :mod:`connectors.registry`). Values that depend on where the config file lives or on the
environment (secrets, file paths) are resolved by whoever loads the config: it hands a
:class:`Resolver` in the pydantic validation context under ``"resolver"``, so connectors never
read files or the environment themselves and the loader keeps one set of rules (secrets only
from ``${ENV}`` or files, bounded file reads, paths relative to the config file).
"""

from __future__ import annotations

import ipaddress
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Protocol
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    ValidationInfo,
    WithJsonSchema,
)

from connectors import durations
from connectors.durations import Duration


class Model(BaseModel):
    """A config section: unknown keys are refused, values are frozen once validated."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Resolver(Protocol):
    """Turns config values that need the file system or the environment into settings."""

    def secret(self, value: Any) -> SecretStr:
        """A secret from ``${ENV}`` or ``{file: PATH}``; ValueError for anything else."""

    def file(self, value: Any) -> Path:
        """An existing regular file, relative paths taken from the config file's folder."""

    def key_file(self, value: Any) -> Path:
        """:meth:`file` that holds a PEM private key."""


def _resolver(info: ValidationInfo) -> Resolver:
    resolver = (info.context or {}).get("resolver")
    if resolver is None:
        raise ValueError("settings with secrets or files are validated by the config loader")
    found: Resolver = resolver
    return found


Secret = Annotated[
    SecretStr,
    BeforeValidator(lambda value, info: _resolver(info).secret(value)),
    WithJsonSchema(
        {
            "anyOf": [
                {
                    "type": "string",
                    "pattern": r"^(\$\{[A-Za-z_][A-Za-z0-9_]*\})+$",
                    "description": "${ENV_VAR} reference",
                },
                {
                    "type": "object",
                    "properties": {"file": {"type": "string"}},
                    "required": ["file"],
                    "additionalProperties": False,
                    "description": "a file holding the secret",
                },
            ]
        }
    ),
]
ConfigFile = Annotated[
    Path,
    BeforeValidator(lambda value, info: _resolver(info).file(value)),
    WithJsonSchema({"type": "string", "description": "a file path"}),
]
KeyFile = Annotated[
    Path,
    BeforeValidator(lambda value, info: _resolver(info).key_file(value)),
    WithJsonSchema({"type": "string", "description": "a PEM private key file"}),
]


def secret_text(value: SecretStr | None) -> str | None:
    """The plain text of a secret setting, for the client that sends it (never print it)."""
    return None if value is None else value.get_secret_value()


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine (127.0.0.0/8, ::1, localhost)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _web_url(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("expected a URL such as https://example.com")
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("expected an http(s) URL such as https://example.com")
    if parts.username or parts.password:
        raise ValueError("URLs must not contain credentials; use the auth settings")
    try:
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        raise ValueError("the URL's port is not a number between 0 and 65535") from None
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise ValueError(
            "http:// is only allowed for loopback hosts (127.0.0.1, ::1, localhost); use https://"
        )
    return value.strip().rstrip("/")


WebUrl = Annotated[
    str,
    BeforeValidator(_web_url),
    WithJsonSchema(
        {"type": "string", "pattern": r"^(https?://|.*\$\{)", "description": "an http(s) URL"}
    ),
]


def _positive(value: timedelta) -> timedelta:
    if value <= timedelta(0):
        raise ValueError("must be longer than zero")
    return value


PositiveDuration = Annotated[Duration, AfterValidator(_positive)]
Lookback = Annotated[
    Duration,
    durations.at_most(timedelta(days=1), "re-read on every cycle; resync --since reaches further"),
]
Timeout = Annotated[
    PositiveDuration,
    durations.at_most(timedelta(minutes=10), "per HTTP request; a slower answer is a stuck call"),
]
Share = Annotated[float, Field(gt=0, le=1, description="a fraction in (0, 1]")]


def at_most(limit: int, why: str) -> AfterValidator:
    """A validator refusing numbers above ``limit``; ``why`` says where the limit comes from."""

    def check(value: int) -> int:
        if value > limit:
            raise ValueError(f"at most {limit} ({why})")
        return value

    return AfterValidator(check)


#: how often a CRM that lists deletions apart from changes is asked for them. HubSpot: "Deleted
#: contacts can be restored within 90 days of deletion", and listed as archived until then
#: (https://developers.hubspot.com/docs/api-reference/legacy/crm/objects/contacts/delete-contact)
DeletionsEvery = Annotated[
    PositiveDuration,
    durations.at_most(
        timedelta(days=30), "HubSpot lists archived contacts for 90 days, then they are gone"
    ),
]


class PullSettings(Model):
    """What every connector's ``pull`` section has: the lookback overlap and the page size."""

    lookback: Lookback = timedelta(minutes=5)
    page_size: int = Field(default=200, ge=1)

    def deletions_schedule(self) -> timedelta | None:
        """How often an incremental sync lists deleted records (a connector whose changes
        come with their deletions at no extra call, as Salesforce's do, has no schedule:
        None). A ``pull`` model with a ``deletions_every`` key returns it."""
        return None


class WriteBackSettings(Model):
    """What every connector's ``write_back`` section has: on or off, and records per call."""

    enabled: bool = True
    batch_size: int = Field(default=100, ge=1)
