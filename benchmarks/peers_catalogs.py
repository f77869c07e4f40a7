"""The Singer configs and catalogs ``peers.py`` hands each tap.

A tap extracts what its catalog selects. Singer's own workflow makes the catalog with
``--discover`` and the user then selects streams and fields; neither tap's discovery runs
against the emulators (tap-salesforce starts with the global describe,
``GET /services/data/v61.0/sobjects``, which the emulator does not serve; tap-hubspot
describes every stream it knows, most of them on v1/v2 endpoints the emulator does not serve,
each retried five times ten seconds apart). So the benchmark writes the catalog a user would
end up with: one stream (``Lead``; ``contacts``), the fields leadloop's mapping reads, selected.
The catalog format: https://github.com/singer-io/getting-started/blob/master/docs/DISCOVERY_MODE.md
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

#: a date every seeded record is younger than: the taps' first run reads everything after it
START_DATE = "2000-01-01T00:00:00Z"

_STRING: dict[str, Any] = {"type": ["null", "string"]}
_DATETIME: dict[str, Any] = {
    "anyOf": [{"type": "string", "format": "date-time"}, {"type": ["string", "null"]}]
}
#: JSON schema of a Salesforce field type (describe ``type``); anything else is a string
_SALESFORCE_TYPES: dict[str, dict[str, Any]] = {
    "boolean": {"type": ["null", "boolean"]},
    "double": {"type": ["null", "number"]},
    "currency": {"type": ["null", "number"]},
    "percent": {"type": ["null", "number"]},
    "int": {"type": ["null", "integer"]},
    "datetime": _DATETIME,
    "date": _DATETIME,
}


def _field_entry(name: str, automatic: bool) -> dict[str, Any]:
    inclusion = "automatic" if automatic else "available"
    return {
        "breadcrumb": ["properties", name],
        "metadata": {"inclusion": inclusion, "selected": True},
    }


def salesforce_catalog(describe_fields: Iterable[dict[str, Any]], selected: list[str]) -> dict:
    """The ``Lead`` stream, INCREMENTAL on ``SystemModstamp``, with the ``selected`` fields.

    ``describe_fields`` is ``fields[]`` of the Lead describe (for each field's type).
    """
    types = {field["name"]: field["type"] for field in describe_fields}
    missing = sorted(set(selected) - set(types))
    if missing:
        raise ValueError(f"the emulated Lead has no field {', '.join(missing)}")
    automatic = {"Id", "SystemModstamp"}
    properties = {
        name: {"type": "string"} if name == "Id" else _SALESFORCE_TYPES.get(types[name], _STRING)
        for name in selected
    }
    stream = {
        "selected": True,
        "replication-method": "INCREMENTAL",
        "replication-key": "SystemModstamp",
        "valid-replication-keys": ["SystemModstamp"],
        "table-key-properties": ["Id"],
    }
    return {
        "streams": [
            {
                "stream": "Lead",
                "tap_stream_id": "Lead",
                "schema": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": properties,
                },
                "metadata": [
                    {"breadcrumb": [], "metadata": stream},
                    *(_field_entry(name, name in automatic) for name in selected),
                ],
            }
        ]
    }


def hubspot_catalog(selected: list[str]) -> dict:
    """The ``contacts`` stream with the ``selected`` contact properties.

    tap-hubspot requests the properties whose ``property_<name>`` entry is selected, and
    transforms records with the schema it loads itself; the catalog's schema only names them.
    """
    automatic = ("id", "updatedAt")
    properties: dict[str, Any] = {name: _STRING for name in (*automatic, "createdAt", "archived")}
    properties.update({f"property_{name}": _STRING for name in selected})
    stream = {
        "selected": True,
        "table-key-properties": ["id"],
        "forced-replication-method": "INCREMENTAL",
        "valid-replication-keys": ["updatedAt"],
    }
    return {
        "streams": [
            {
                "stream": "contacts",
                "tap_stream_id": "contacts",
                "schema": {"type": "object", "properties": properties},
                "metadata": [
                    {"breadcrumb": [], "metadata": stream},
                    *(_field_entry(name, name in automatic) for name in properties),
                ],
            }
        ]
    }


def salesforce_config(api_type: str) -> dict[str, Any]:
    """tap-salesforce's config: the refresh-token fields it requires (the shim exchanges its
    token request for the emulator's JWT bearer grant, so their values are never checked)."""
    return {
        "refresh_token": "exchanged-by-the-loopback-shim",
        "client_id": "leadloop-benchmark",
        "client_secret": "exchanged-by-the-loopback-shim",
        "start_date": START_DATE,
        "api_type": api_type,
        "select_fields_by_default": False,
        "is_sandbox": False,
    }


def hubspot_config(token: str) -> dict[str, Any]:
    """tap-hubspot's config: a private app's access token (``api_key``, sent as a Bearer)."""
    return {"api_key": token, "start_date": START_DATE, "select_fields_by_default": "false"}
