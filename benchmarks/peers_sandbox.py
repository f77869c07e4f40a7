"""Both emulators in a child process for ``peers.py``, and their request counters.

Every client that ``peers.py`` measures (leadloop and the floor in the benchmark's process,
each tap in a subprocess of its own) talks to the same emulators in another process, so none
of them shares an interpreter lock with the server it measures against. API calls are read
from the emulators' own request counters through their control API
(``/__sandbox__/stats``), which counts every request an emulator received, refused or not.
"""

from __future__ import annotations

import multiprocessing
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import requests

#: the REST API version tap-salesforce 2.8.1 hard-codes (``API_VERSION`` in its ``rest.py``);
#: the emulated org answers versions up to this one, as orgs have since Summer '24
#: (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_versions.htm)
ORG_API_VERSION = "61.0"
#: HubSpot's burst limit is per rolling 10 s and shared by every client of one private app
#: (https://developers.hubspot.com/docs/developer-tooling/platform/usage-guidelines); a run
#: on a schedule finds it empty, so each measured HubSpot run starts after 10 s of quiet
HUBSPOT_WINDOW_SECONDS = 10.5


def serve(leads: int, contacts: int, urls: Any, stop: Any) -> None:
    """Child process: both emulators, seeded with ``leads`` and ``contacts`` messy records."""
    from connectors.sandbox.runner import Sandbox, SandboxOptions

    with Sandbox(SandboxOptions(leads=leads, contacts=contacts)) as box:
        box.salesforce.api_version = ORG_API_VERSION
        urls.put((box.salesforce_url, box.hubspot_url))
        stop.wait()


@dataclass(frozen=True)
class Emulators:
    """The base URLs of the two emulators a child process serves."""

    salesforce: str
    hubspot: str

    def start_run(self, emulator: str) -> None:
        """Before a measured run against ``emulator``: a quiet rate window, zeroed counters."""
        if emulator == "hubspot":
            time.sleep(HUBSPOT_WINDOW_SECONDS)
        self.reset()

    def reset(self) -> None:
        """Zero both request counters."""
        for url in (self.salesforce, self.hubspot):
            requests.post(f"{url}/__sandbox__/stats/reset", timeout=10).raise_for_status()

    def calls(self, emulator: str) -> Counter[str]:
        """Requests ``emulator`` ("salesforce" or "hubspot") received since the last reset."""
        url = self.salesforce if emulator == "salesforce" else self.hubspot
        answer = requests.get(f"{url}/__sandbox__/stats", timeout=10)
        answer.raise_for_status()
        return Counter({op: int(n) for op, n in answer.json()["calls"].items()})


@contextmanager
def emulators(leads: int, contacts: int, timeout: float = 900) -> Iterator[Emulators]:
    """Start the seeded emulators in a child process; stop it on exit."""
    context = multiprocessing.get_context("spawn")
    urls, stop = context.Queue(), context.Event()
    child = context.Process(target=serve, args=(leads, contacts, urls, stop), daemon=True)
    child.start()
    try:
        salesforce, hubspot = urls.get(timeout=timeout)
        _check_version(salesforce)
        yield Emulators(salesforce, hubspot)
    finally:
        stop.set()
        child.join(timeout=10)
        if child.is_alive():
            child.terminate()


def _check_version(salesforce: str) -> None:
    """Fail unless the emulated org lists :data:`ORG_API_VERSION` (``GET /services/data``)."""
    answer = requests.get(f"{salesforce}/services/data", timeout=10)
    answer.raise_for_status()
    if ORG_API_VERSION not in {entry.get("version") for entry in answer.json()}:
        raise RuntimeError(
            f"the Salesforce emulator does not serve API v{ORG_API_VERSION}, which "
            "tap-salesforce asks for: see peers_sandbox.serve"
        )
