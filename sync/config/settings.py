"""leadloop's typed configuration: read once at startup, validated completely.

``load_settings(path)`` reads the YAML file, resolves ``${ENV}`` references, validates every
section, loads the reason catalogue and each source's mapping, and raises :class:`ConfigError`
listing every problem (``FILE:LINE: key.path: message``) at once. Secrets are ``SecretStr``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import Field, PrivateAttr, ValidationError
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from mappings.catalogue import Catalogue
from mappings.loader import SourceMapping, reason_catalogue
from mappings.yamldoc import Document, YamlError, load_yaml
from sync.config.loader import (
    ConfigError,
    ConfigIssue,
    interpolate,
    pydantic_issues,
    resolve_config_path,
    sort_issues,
)
from sync.config.masking import masked, secret_values
from sync.config.models import LimitsConfig, Model, ReasonsConfig, StoreConfig
from sync.config.references import check_references
from sync.config.sources import SourceConfig, SourceName
from sync.config.types import validation_context
from sync.feedback.config import FeedbackConfig
from sync.pipeline.policies.config import PoliciesConfig

__all__ = [
    "ConfigError",
    "ConfigIssue",
    "Settings",
    "load_settings",
    "resolve_config_path",
    "schema_text",
    "settings_json_schema",
]


class Settings(Model):
    """The whole config. After :func:`load_settings`, ``catalogue`` and ``mapping(name)`` give
    the loaded reason catalogue and each source's mapping."""

    store: StoreConfig
    sources: dict[SourceName, SourceConfig] = Field(default_factory=dict)
    reasons: ReasonsConfig = ReasonsConfig()
    policies: PoliciesConfig = PoliciesConfig()
    feedback: FeedbackConfig = FeedbackConfig()
    limits: LimitsConfig = LimitsConfig()

    _path: Path | None = PrivateAttr(None)
    _catalogue: Catalogue | None = PrivateAttr(None)
    _mappings: dict[str, SourceMapping] = PrivateAttr(default_factory=dict)

    @property
    def path(self) -> Path | None:
        """The config file these settings came from."""
        return self._path

    @property
    def catalogue(self) -> Catalogue:
        """The reason catalogue (``reasons.catalogue``)."""
        if self._catalogue is None:
            raise RuntimeError("settings were not built by load_settings()")
        return self._catalogue

    def mapping(self, source: str) -> SourceMapping:
        """The loaded mapping of source ``source``."""
        return self._mappings[source]

    def catalogue_for(self, source: str) -> Catalogue:
        """The catalogue as seen by ``source``: its mapping's own reason values applied."""
        return reason_catalogue(self._mappings[source], self.catalogue)

    def api_budget_share(self, source: str) -> float:
        """The share of the CRM's daily API allowance this source may use."""
        own = self.sources[source].api_budget_share
        return own if own is not None else self.limits.api_budget_share


def _validate(doc: Document, env: Mapping[str, str]) -> Settings:
    data, problems = interpolate(doc, env)
    if not isinstance(data, dict):
        raise ConfigError(
            [
                doc.issue(
                    (),
                    "the config must be a mapping of sections "
                    "(store, sources, reasons, policies, feedback, limits)",
                )
            ]
        )
    base = Path(doc.file).resolve().parent
    found = check_references(data, doc, base)
    issues = [doc.issue(path, message) for path, message in problems] + found.issues
    settings: Settings | None = None
    try:
        settings = Settings.model_validate(data, context=validation_context(base, env))
    except ValidationError as error:
        issues += pydantic_issues(doc, Settings, error, {path for path, _ in problems})
    if issues or settings is None:
        raise ConfigError(sort_issues(masked(issues, secret_values(data, env))))
    settings._catalogue, settings._mappings = found.catalogue, found.mappings
    return settings


def load_settings(path: str | Path, env: Mapping[str, str] | None = None) -> Settings:
    """Read, interpolate and validate the config at ``path`` (``env``: os.environ by default).

    Raises :class:`ConfigError` whose ``errors`` are every problem found, each naming file,
    line and key. Nothing is written anywhere.
    """
    try:
        doc = load_yaml(Path(path))
    except YamlError as error:
        raise ConfigError(error.issues) from None
    settings = _validate(doc, os.environ if env is None else env)
    settings._path = Path(path)
    return settings


class _SchemaGenerator(GenerateJsonSchema):
    def timedelta_schema(self, schema: core_schema.TimedeltaSchema) -> JsonSchemaValue:
        # durations are written 90s, 15m, 3d, 2w, 1h30m; a bare number only as 0 (durations.py)
        return {
            "anyOf": [
                {"type": "string", "pattern": r"^\s*(\d+(\.\d+)?\s*[wdhms]\s*)+$"},
                {"const": 0},
            ],
            "description": "a duration with its unit: 30s, 15m, 3d, 2w, 1h30m",
        }


def settings_json_schema() -> dict[str, Any]:
    """The JSON Schema of the config file, for editors (``config/leadloop.schema.json``)."""
    schema = Settings.model_json_schema(schema_generator=_SchemaGenerator)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "leadloop configuration",
        **schema,
    }


def schema_text() -> str:
    """The config schema as stable, sorted JSON text (``config/leadloop.schema.json``)."""
    return json.dumps(settings_json_schema(), indent=2, sort_keys=True) + "\n"
