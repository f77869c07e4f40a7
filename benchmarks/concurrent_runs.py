"""Issue 13's double-processing scenario: a daemon cycle and a manual ``sync`` started together
on one store. Prints the API calls and duplicate writes of that pair beside one sync alone.

Before leases covered every command, both processes pulled and wrote the same source; now the
second one finds the source's lease taken (exit 3), or waits for it with ``--wait``.

Run: ``.venv/bin/python benchmarks/concurrent_runs.py`` (``--code DIR`` runs the leadloop in
another checkout, e.g. an older commit, against the same emulators).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from connectors.sandbox.runner import Sandbox, SandboxOptions
from sync.demo import write_config

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the suite's WriteLog
from tests.workers.support import WriteLog

SCHEDULE = "    schedule: {every: 15m}\n"


def _config(directory: Path, box: Sandbox) -> Path:
    config = write_config(directory, box.salesforce_url, box.hubspot_url)
    text = config.read_text(encoding="utf-8")
    for mapping in ("salesforce_lead", "hubspot_contact"):
        text = text.replace(f"    mapping: {mapping}\n", f"    mapping: {mapping}\n{SCHEDULE}")
    config.write_text(text, encoding="utf-8")
    return config


def _leadloop(code: Path | None, config: Path, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "LEADLOOP_CONFIG": str(config)}
    if code is not None:
        env["PYTHONPATH"] = str(code)
    command = [sys.executable, "-m", "sync", "--log-level", "error", *args]
    # -m puts the working directory first on sys.path: run from the checkout under test
    return subprocess.Popen(
        command, env=env, cwd=code, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def _calls(box: Sandbox) -> int:
    return sum(box.salesforce.calls.values()) + sum(box.hubspot.calls.values())


def scenario(args: argparse.Namespace, together: bool) -> dict[str, object]:
    """One sync alone, or a daemon cycle and a sync together; what the CRMs saw."""
    options = SandboxOptions(leads=args.leads, contacts=args.contacts)
    with tempfile.TemporaryDirectory() as tmp, Sandbox(options) as box:
        config = _config(Path(tmp), box)
        assert _leadloop(args.code, config, "db", "upgrade").wait(120) == 0
        log = WriteLog(box)
        before = _calls(box)
        started = time.monotonic()
        commands = [["run", "--once"], ["sync"]] if together else [["sync"]]
        processes = [_leadloop(args.code, config, *command) for command in commands]
        codes = []
        for command, process in zip(commands, processes, strict=True):
            _, err = process.communicate(timeout=1800)
            codes.append(process.returncode)
            if err.strip():
                print(f"  ({' '.join(command)}: {err.decode().strip()[-300:]})")
        return {
            "seconds": round(time.monotonic() - started, 1),
            "exit codes": codes,
            "API calls": _calls(box) - before,
            "write requests": log.requests,
            "field writes": sum(log.writes.values()),
            "duplicate writes": sum(n - 1 for n in log.repeated().values()),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=10_000)
    parser.add_argument("--contacts", type=int, default=5_000)
    parser.add_argument("--code", type=Path, help="leadloop checkout to run (default: this one)")
    args = parser.parse_args()
    print(f"{args.leads} Salesforce leads, {args.contacts} HubSpot contacts (messy seed)")
    for label, together in (("one sync alone", False), ("daemon cycle + manual sync", True)):
        figures = scenario(args, together)
        print(f"{label}: " + ", ".join(f"{k} {v}" for k, v in figures.items()))


if __name__ == "__main__":
    main()
