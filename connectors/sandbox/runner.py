"""Start both CRM emulators together (``leadloop sandbox``, ``leadloop demo``, tests)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from connectors.sandbox.server import Server


@dataclass
class SandboxOptions:
    leads: int = 200
    contacts: int = 120
    seed: int = 42
    salesforce_port: int = 0
    hubspot_port: int = 0
    host: str = "127.0.0.1"
    faults: dict[str, Any] = field(default_factory=dict)  # {"salesforce": {...}, "hubspot": {...}}
    state_dir: Path | None = None  # load/save emulator state here
    now: Callable[[], datetime] | None = None  # the emulators' clock (tests freeze it)
    #: realistic behaviours to switch off for a focused test, as "salesforce.NAME" or
    #: "hubspot.NAME" (each emulator's QUIRKS lists its names); everything else stays on
    quirks_off: frozenset[str] = frozenset()


def known_quirks() -> dict[str, str]:
    """Every realistic behaviour the emulators can switch off: ``emulator.NAME`` -> what it is."""
    from connectors.sandbox.hubspot.quirks import QUIRKS as HUBSPOT
    from connectors.sandbox.salesforce.quirks import QUIRKS as SALESFORCE

    named = {f"salesforce.{name}": text for name, text in SALESFORCE.items()}
    named.update({f"hubspot.{name}": text for name, text in HUBSPOT.items()})
    return dict(sorted(named.items()))


class Sandbox:
    """Both emulators on loopback ports. Use as a context manager; nothing outlives it."""

    def __init__(self, options: SandboxOptions | None = None) -> None:
        self.options = options or SandboxOptions()
        self.servers: list[Server] = []

    def _state_file(self, name: str) -> Path | None:
        if self.options.state_dir is None:
            return None
        return self.options.state_dir / f"{name}.json"

    def quirks_off(self, emulator: str) -> frozenset[str]:
        """The quirk names of ``emulator`` ("salesforce" or "hubspot") switched off."""
        prefix = f"{emulator}."
        return frozenset(
            name.removeprefix(prefix) for name in self.options.quirks_off if name.startswith(prefix)
        )

    def start(self) -> Sandbox:
        from connectors.sandbox.hubspot import HubSpotEmulator
        from connectors.sandbox.salesforce import SalesforceEmulator

        opts = self.options
        strays = sorted(
            n for n in opts.quirks_off if n.split(".")[0] not in ("salesforce", "hubspot")
        )
        if strays:
            raise ValueError(f"quirk {strays[0]!r}: name it salesforce.NAME or hubspot.NAME")
        sf_state, hs_state = self._state_file("salesforce"), self._state_file("hubspot")
        sf_quirks = self.quirks_off("salesforce")
        self.salesforce = (
            SalesforceEmulator.load(sf_state, quirks_off=sf_quirks)
            if sf_state and sf_state.exists()
            else SalesforceEmulator(
                leads=opts.leads, seed=opts.seed, now=opts.now, quirks_off=sf_quirks
            )
        )
        self.hubspot = (
            HubSpotEmulator.load(hs_state)
            if hs_state and hs_state.exists()
            else HubSpotEmulator(
                contacts=opts.contacts,
                seed=opts.seed,
                now=opts.now,
                quirks_off=self.quirks_off("hubspot"),
            )
        )
        self.salesforce.faults.load(opts.faults.get("salesforce", {}))
        self.hubspot.faults.load(opts.faults.get("hubspot", {}))
        self.salesforce_server = Server(self.salesforce, opts.host, opts.salesforce_port).start()
        self.servers.append(self.salesforce_server)
        self.hubspot_server = Server(self.hubspot, opts.host, opts.hubspot_port).start()
        self.servers.append(self.hubspot_server)
        return self

    @property
    def salesforce_url(self) -> str:
        return self.salesforce_server.url

    @property
    def hubspot_url(self) -> str:
        return self.hubspot_server.url

    def stop(self) -> None:
        for server in self.servers:
            server.stop()
        self.servers.clear()
        sf_state, hs_state = self._state_file("salesforce"), self._state_file("hubspot")
        if sf_state and hs_state:
            sf_state.parent.mkdir(parents=True, exist_ok=True)
            self.salesforce.save(sf_state)
            self.hubspot.save(hs_state)

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
