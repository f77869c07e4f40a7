"""The connector registry: a config ``type:`` name -> what a connector of that type needs.

Each CRM is one folder under ``connectors/`` whose ``spec`` module exposes ``CONNECTOR``, a
:class:`ConnectorType`: its settings models (``connection``, ``pull``, ``write_back``), the
mapping it uses by default, the streams it can read, and ``from_config``, which builds the
connector from validated settings. The registry finds them by looking at the folders, so adding
a CRM edits nothing outside its folder (see ``docs/new-connector.md``).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Protocol
from urllib.parse import urlsplit

from connectors.base import Connector
from connectors.settings import Model, PullSettings, WriteBackSettings

#: folders under connectors/ that are not CRMs
NOT_CRMS = frozenset({"sandbox"})


@dataclass(frozen=True)
class Stream:
    """One object a connector can read: its name, primary key and replication key."""

    object: str
    id_field: str
    modstamp_field: str


class SourceSettings(Protocol):
    """A source's validated settings as the connector sees them."""

    @property
    def connection(self) -> Any: ...
    @property
    def pull(self) -> PullSettings: ...
    @property
    def write_back(self) -> WriteBackSettings: ...


@dataclass(frozen=True)
class BuildContext:
    """What the engine tells a connector beyond its own settings.

    ``fields``: the CRM fields the mapping reads; ``stream``: the object the mapping names;
    ``api_budget_share``: the share of the CRM's daily allowance this source may spend;
    ``on_secrets``: called with the secret values the connector will send, so the caller can
    mask them in logs and messages.
    """

    fields: Sequence[str]
    stream: Stream
    api_budget_share: float
    on_secrets: Callable[[Sequence[str]], None] = field(default=lambda _values: None)


@dataclass(frozen=True)
class ConnectorType:
    """Everything the engine and the config need to know about one kind of CRM connector."""

    name: str  # the config's ``type:`` and the mapping's ``crm:``
    label: str  # for people: "Salesforce"
    default_mapping: str
    connection: type[Model]
    pull: type[PullSettings]
    write_back: type[WriteBackSettings]
    streams: Mapping[str, Stream]  # object name -> how it is read
    from_config: Callable[[SourceSettings, BuildContext], Connector]
    #: ``host:port`` a source with these connection settings talks to (for messages)
    host: Callable[[Any], str]


def url_host(url: str) -> str:
    """``host:port`` of a URL (the URL itself when it has none)."""
    return urlsplit(url).netloc or url


def _discover() -> dict[str, ConnectorType]:
    import connectors

    found: dict[str, ConnectorType] = {}
    for module in pkgutil.iter_modules(connectors.__path__):
        if not module.ispkg or module.name in NOT_CRMS:
            continue
        try:
            spec = importlib.import_module(f"connectors.{module.name}.spec")
        except ModuleNotFoundError as error:
            if error.name != f"connectors.{module.name}.spec":
                raise
            continue
        kind: ConnectorType = spec.CONNECTOR
        found[kind.name] = kind
    return dict(sorted(found.items()))


@cache
def connector_types() -> Mapping[str, ConnectorType]:
    """Every connector type under ``connectors/``, by config ``type:`` name."""
    return _discover()


def connector_type(name: str) -> ConnectorType:
    """The connector type ``name``; KeyError naming the known ones otherwise."""
    types = connector_types()
    if name not in types:
        raise KeyError(f"no connector of type {name!r} (known: {', '.join(types)})")
    return types[name]
