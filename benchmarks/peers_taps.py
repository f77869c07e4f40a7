"""Install the Singer taps into virtualenvs of their own and run them against the emulators.

Each tap gets ``benchmarks/results/peers-venv-<tap>/`` (git-ignored), made on first use with
``python -m venv`` and pip from PyPI and reused while it holds the pinned version. A run is one
subprocess, ``<tap> --config --properties [--state]``, its Singer messages written to a file
(extraction only: no target), timed from start to exit. The loopback shim
(``benchmarks/peer_shim/sitecustomize.py``) is put on that subprocess's ``PYTHONPATH`` only.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SHIM = Path(__file__).resolve().parent / "peer_shim"
#: the shim's exit code when a tap tried a host outside loopback (see the shim)
REFUSED_EXIT = 97
MARKER = ".leadloop-peers"


@dataclass(frozen=True)
class Tap:
    name: str  # the console script, e.g. "tap-salesforce"
    spec: str  # what pip installs
    module: str  # the importable package

    def venv(self, root: Path) -> Path:
        return root / f"peers-venv-{self.name}"


TAP_SALESFORCE = Tap("tap-salesforce", "tap-salesforce==2.8.1", "tap_salesforce")
TAP_HUBSPOT = Tap("tap-hubspot", "tap-hubspot==4.5.0", "tap_hubspot")


class RefusedHost(RuntimeError):
    """A tap tried to reach a host outside loopback: the benchmark stops (``peers.main``)."""


def ensure_venv(tap: Tap, root: Path, reinstall: bool = False) -> Path:
    """The tap's virtualenv, created and installed unless it already holds ``tap.spec``."""
    venv = tap.venv(root)
    marker = venv / MARKER
    if not reinstall and marker.exists() and marker.read_text().strip() == tap.spec:
        return venv
    print(f"installing {tap.spec} into {venv} (once) ...", flush=True)
    log = root / f"peers-install-{tap.name}.log"
    root.mkdir(parents=True, exist_ok=True)
    with log.open("w") as out:
        for command in (
            [sys.executable, "-m", "venv", "--clear", str(venv)],
            [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", tap.spec],
        ):
            if subprocess.run(command, stdout=out, stderr=subprocess.STDOUT).returncode:
                raise RuntimeError(f"installing {tap.spec} failed: see {log}")
    marker.write_text(tap.spec + "\n")
    return venv


def shim_env(routes: dict[str, str], jwt_subject: str | None = None) -> dict[str, str]:
    """The environment of a tap subprocess: this one's, plus the shim and its routes."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PYTHONPATH"] = str(SHIM)
    env["PYTHONNOUSERSITE"] = "1"
    env["LEADLOOP_PEER_ROUTES"] = json.dumps(routes)
    if jwt_subject:
        env["LEADLOOP_PEER_JWT_SUBJECT"] = jwt_subject
    return env


def check_shim(venv: Path, env: dict[str, str]) -> None:
    """Fail unless the tap's interpreter loads the shim (the taps run only with it)."""
    probe = "import sitecustomize; print(sitecustomize.__file__)"
    answer = subprocess.run(
        [str(venv / "bin" / "python"), "-c", probe], env=env, capture_output=True, text=True
    )
    loaded = Path(answer.stdout.strip() or ".").resolve().parent
    if answer.returncode or loaded != SHIM:
        raise RuntimeError(
            f"the loopback shim does not load in {venv} (got {answer.stdout.strip()!r}, "
            f"{answer.stderr.strip()[-300:]!r}): not running a tap without it"
        )


def startup_seconds(venv: Path, module: str, env: dict[str, str]) -> float:
    """Wall seconds for the venv's interpreter to start and import ``module``."""
    started = time.perf_counter()
    subprocess.run([str(venv / "bin" / "python"), "-c", f"import {module}"], env=env, check=True)
    return time.perf_counter() - started


@dataclass
class TapRun:
    """One tap subprocess: how long, what it emitted, how it ended."""

    seconds: float
    cpu: float  # the subprocess's user + system CPU seconds
    exit_code: int
    records: int
    state: dict[str, Any] | None
    problem: str  # the tap's last CRITICAL/ERROR line, or its stderr's tail ("" when fine)
    output: Path

    @property
    def ok(self) -> bool:
        return self.exit_code == 0


def run_tap(
    tap: Tap,
    venv: Path,
    workdir: Path,
    label: str,
    inputs: dict[str, dict[str, Any] | None],
    env: dict[str, str],
    timeout: float,
) -> TapRun:
    """Run ``tap`` once with ``inputs`` ({"config", "properties", "state"}), output to a file."""
    command = [str(venv / "bin" / tap.name)]
    for flag, content in inputs.items():
        if content is not None:
            path = workdir / f"{label}.{flag}.json"
            path.write_text(json.dumps(content))
            command += [f"--{flag}", str(path)]
    output, errors = workdir / f"{label}.singer.jsonl", workdir / f"{label}.stderr.log"
    with output.open("wb") as out, errors.open("wb") as err:
        cpu, started = _children_cpu(), time.perf_counter()
        try:
            code = subprocess.run(
                command, stdout=out, stderr=err, env=env, timeout=timeout
            ).returncode
        except subprocess.TimeoutExpired:
            code = -1
        seconds, cpu = time.perf_counter() - started, _children_cpu() - cpu
    log = errors.read_text(errors="replace")
    if code == REFUSED_EXIT:
        refused = [line for line in log.splitlines() if "leadloop-peer-shim" in line]
        raise RefusedHost(f"{tap.name} ({label}): {refused[-1] if refused else 'refused'}")
    records, state = read_messages(output)
    problem = (
        "" if code == 0 else (f"timed out after {timeout:.0f} s" if code == -1 else last_error(log))
    )
    return TapRun(seconds, cpu, code, records, state, problem, output)


def _children_cpu() -> float:
    """User + system CPU seconds of this process's finished children."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def read_messages(path: Path) -> tuple[int, dict[str, Any] | None]:
    """RECORD messages in a Singer output file, and the value of its last STATE message."""
    records, state = 0, None
    with path.open("rb") as lines:
        for line in lines:
            if b'"RECORD"' in line[:40]:
                records += 1
            elif b'"STATE"' in line[:40]:
                state = json.loads(line)["value"]
    return records, state


def last_error(log: str) -> str:
    """The most telling line of a failed tap's stderr."""
    lines = [line.strip() for line in log.splitlines() if line.strip()]
    for level in ("CRITICAL", "ERROR"):
        found = [line for line in lines if level in line]
        if found:
            return found[-1][-400:]
    return (lines[-1] if lines else "no output")[-400:]
