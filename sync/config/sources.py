"""The ``sources`` section: one entry per CRM source, of any type the connector registry knows.

Every source has what the engine needs (``type``, ``mapping``, ``schedule``,
``api_budget_share``) and what its connector declares (``connection``, ``pull``,
``write_back``: :class:`connectors.registry.ConnectorType`). The model of each type is built
from the registry, so a new CRM needs no edit here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal, Union

from pydantic import AfterValidator, Field, create_model

from connectors.registry import ConnectorType, connector_types
from connectors.settings import PullSettings, Share, WriteBackSettings
from sync.config.models import Model, Schedule


class SourceCommon(Model):
    """A source's settings; the model of each connector type narrows the last three."""

    type: str
    mapping: str
    schedule: Schedule | None = None
    api_budget_share: Share | None = None
    connection: Any
    pull: PullSettings
    write_back: WriteBackSettings


def source_model(kind: ConnectorType) -> type[SourceCommon]:
    """The settings model of a source of type ``kind``."""
    fields: dict[str, Any] = {
        "type": (Literal[kind.name], ...),
        "mapping": (str, kind.default_mapping),
        "connection": (kind.connection, ...),
        "pull": (kind.pull, kind.pull()),
        "write_back": (kind.write_back, kind.write_back()),
    }
    model: type[SourceCommon] = create_model(
        f"{kind.label.replace(' ', '')}Source",
        __base__=SourceCommon,
        __module__=__name__,
        __doc__=f"A {kind.label} source.",
        **fields,
    )
    return model


#: the settings model of each connector type, by ``type:`` name
SOURCE_MODELS: dict[str, type[SourceCommon]] = {
    name: source_model(kind) for name, kind in connector_types().items()
}

if TYPE_CHECKING:
    SourceConfig = SourceCommon
else:
    SourceConfig = Annotated[Union[tuple(SOURCE_MODELS.values())], Field(discriminator="type")]  # noqa: UP007


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
