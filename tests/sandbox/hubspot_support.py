"""Shared helpers for the HubSpot emulator tests: a frozen clock and a running emulator.

Creates answer 200 (quirk ``create_200``), which hubspot-api-client's generated ``create()``
does not deserialise (it returns None): :func:`raw` reads the JSON of any call instead, as the
product does.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from hubspot import Client
from hubspot.crm.contacts import (
    BatchInputSimplePublicObjectBatchInputForCreate,
    SimplePublicObjectBatchInputForCreate,
)
from hubspot.crm.schemas import ObjectSchemaEgg, ObjectTypeDefinitionLabels
from hubspot.crm.schemas import ObjectTypePropertyCreate as SchemaProperty

from connectors.sandbox.hubspot import HubSpotEmulator
from connectors.sandbox.server import Server
from tests.builders import FrozenClock

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@dataclass
class Running:
    emulator: HubSpotEmulator
    client: Client
    url: str
    clock: FrozenClock


@contextmanager
def running(clock: FrozenClock | None = None, **options: Any) -> Iterator[Running]:
    """A HubSpotEmulator on a free loopback port and a real hubspot-api-client pointed at it."""
    clock = clock or FrozenClock(START)
    options.setdefault("contacts", 0)
    emulator = HubSpotEmulator(now=clock, **options)
    with Server(emulator) as server:
        client = Client.create(access_token=emulator.access_token, host=server.url)
        yield Running(emulator, client, server.url, clock)


def error_body(exc: Any) -> dict[str, Any]:
    """The parsed JSON body of an SDK ApiException."""
    return dict(json.loads(exc.body))


def raw(call: Any, *args: Any, **kwargs: Any) -> tuple[Any, int]:
    """(parsed JSON body, status) of an SDK ``*_with_http_info`` call."""
    response = call(*args, _preload_content=False, **kwargs)
    try:
        return json.loads(response.data or b"null"), response.status
    finally:
        response.release_conn()


def create_contacts(hs: Running, *properties: dict[str, str]) -> list[str]:
    """Batch-create contacts through the SDK; their ids in input order."""
    batch = BatchInputSimplePublicObjectBatchInputForCreate(
        inputs=[SimplePublicObjectBatchInputForCreate(properties=p) for p in properties]
    )
    body, _ = raw(hs.client.crm.contacts.batch_api.create_with_http_info, batch)
    return [str(r["id"]) for r in sorted(body["results"], key=lambda r: int(r["id"]))]


def feedback_schema(*extra: SchemaProperty, **changes: Any) -> ObjectSchemaEgg:
    """The feedback custom object: a unique ``feedback_key``, ``reason``, ``count`` (+ extra)."""
    fields: dict[str, Any] = {
        "name": "reason_feedback",
        "labels": ObjectTypeDefinitionLabels(singular="Reason feedback", plural="Reason feedback"),
        "primary_display_property": "feedback_key",
        "required_properties": ["feedback_key"],
        "searchable_properties": ["feedback_key"],
        "associated_objects": ["0-1"],
        "properties": [
            SchemaProperty(
                name="feedback_key",
                label="Key",
                type="string",
                field_type="text",
                has_unique_value=True,
            ),
            SchemaProperty(name="reason", label="Reason", type="string", field_type="text"),
            SchemaProperty(name="count", label="Count", type="number", field_type="number"),
            *extra,
        ],
    }
    fields.update(changes)
    return ObjectSchemaEgg(**fields)
