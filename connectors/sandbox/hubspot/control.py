"""The HubSpot emulator's control API under ``/__sandbox__/`` (tests in other processes).

``POST edit`` ``{"id", "properties"}`` (a human edit), ``GET contact/{id}`` (raw contact plus
its seed scenario, archived ones too), ``GET contacts`` (every contact, raw),
``GET objects/{type}`` (every record of a custom object type, raw).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from connectors.sandbox.server import Request, Response

if TYPE_CHECKING:
    from connectors.sandbox.hubspot.app import HubSpotEmulator


def control_action(emulator: HubSpotEmulator, action: str, request: Request) -> Response | None:
    """The answer to a HubSpot-specific control action (None: not one of ours)."""
    parts = action.split("/")
    try:
        if action == "edit" and request.method == "POST":
            body = request.json() or {}
            return Response.json(emulator.human_edit(body["id"], body["properties"]))
        if parts[0] == "contact" and len(parts) == 2:
            return Response.json(
                {**emulator.contact(parts[1]), "scenario": emulator.scenario_of(parts[1])}
            )
        if action == "contacts":
            return _records(emulator, "contacts")
        if parts[0] == "objects" and len(parts) == 2:
            return _records(emulator, parts[1])
    except KeyError as problem:
        return Response.json({"error": str(problem)}, 404)
    except ValueError as problem:
        return Response.json({"error": str(problem)}, 400)
    return None


def _records(emulator: HubSpotEmulator, object_type: str) -> Response | None:
    store = emulator.store_for(object_type)
    if store is None:
        return None
    with emulator.lock:
        return Response.json({"results": [r.to_json(None) for r in store.records.values()]})
