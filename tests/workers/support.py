"""Real worker processes on one store: start, kill, stop them; log what the CRMs were sent."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from connectors.sandbox.runner import Sandbox
from connectors.sandbox.server import App, Request, Response

Write = tuple[str, str, str, str]  # crm, record id, field, value written


class WriteLog:
    """Every field value the emulators were asked to write, from the requests themselves."""

    def __init__(self, box: Sandbox) -> None:
        self.writes: Counter[Write] = Counter()
        self.requests = 0
        self._lock = threading.Lock()
        self._wrap(box.salesforce, "composite", self._salesforce)
        self._wrap(box.hubspot, "batch_update", self._hubspot)

    def _wrap(self, app: App, op: str, read: Callable[[Any], list[Write]]) -> None:
        dispatch = app.dispatch

        def logged(request: Request) -> Response:
            if app.operation(request) == op and request.method in ("PATCH", "POST"):
                found = read(request.json())
                with self._lock:
                    self.requests += 1
                    self.writes.update(found)
            return dispatch(request)

        app.dispatch = logged  # type: ignore[method-assign]

    @staticmethod
    def _salesforce(body: Any) -> list[Write]:
        found = []
        for record in body.get("records", []):
            record_id = record.get("Id") or record.get("id")
            for name, value in record.items():
                if name not in ("attributes", "Id", "id"):
                    found.append(("salesforce", str(record_id), name, json.dumps(value)))
        return found

    @staticmethod
    def _hubspot(body: Any) -> list[Write]:
        return [
            ("hubspot", str(item["id"]), name, json.dumps(value))
            for item in body.get("inputs", [])
            for name, value in item.get("properties", {}).items()
        ]

    def repeated(self) -> dict[Write, int]:
        """Writes sent more than once."""
        with self._lock:
            return {write: n for write, n in self.writes.items() if n > 1}


@dataclass
class Workers:
    """``leadloop run`` processes on one config, each with its own worker name and log file."""

    config: Path
    logs: Path
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def command(self, verb: str, *args: str) -> list[str]:
        """``leadloop VERB -c CONFIG ARGS...`` with JSON log lines."""
        root = [sys.executable, "-m", "sync", "--log-format", "json"]
        return [*root, verb, "-c", str(self.config), *args]

    def start(self, name: str) -> None:
        with (self.logs / f"{name}.log").open("ab") as log:
            self.processes[name] = subprocess.Popen(
                self.command("run", "--worker-id", name),
                stdout=subprocess.DEVNULL,
                stderr=log,
                env={**os.environ, "LEADLOOP_WORKER_ID": ""},
            )

    def kill(self, name: str) -> None:
        process = self.processes[name]
        process.send_signal(signal.SIGKILL)
        process.wait(30)

    def stop_all(self) -> dict[str, int]:
        """SIGTERM every worker; their exit codes once they finished their cycles."""
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        return {name: process.wait(120) for name, process in self.processes.items()}

    def kill_all(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.kill()
                process.wait(30)
