"""The taps' runs in ``peers.py``: a full extraction, then a run from the state it emitted.

How each tap is pointed at the emulators (nothing of theirs is patched on disk):

* tap-salesforce 2.8.1 posts a refresh-token grant to ``https://login.salesforce.com`` and then
  uses the ``instance_url`` the token answer names. The shim sends the login host to the
  emulator and exchanges the grant for the emulator's JWT bearer grant (the emulator's token
  answer names its own loopback URL, so every later call goes there unchanged). The tap asks
  for API v61.0, which the emulated org is set to serve (``peers_sandbox.ORG_API_VERSION``).
* tap-hubspot 4.5.0 builds every URL on ``https://api.hubapi.com`` and sends ``api_key`` as a
  Bearer token (a private app's token): the shim sends that host to the emulator.
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from peers_catalogs import hubspot_catalog, hubspot_config, salesforce_catalog, salesforce_config
from peers_sandbox import Emulators
from peers_table import FULL_HUBSPOT, FULL_SALESFORCE, NO_CHANGE_HUBSPOT, NO_CHANGE_SALESFORCE, Row
from peers_taps import (
    TAP_HUBSPOT,
    TAP_SALESFORCE,
    Tap,
    TapRun,
    check_shim,
    ensure_venv,
    run_tap,
    shim_env,
    startup_seconds,
)


@dataclass
class TapSettings:
    """The taps' virtualenvs and run options; ``notes`` collects what to print at the end."""

    venvs: dict[str, Path]
    timeout: float
    bulk: bool
    notes: list[str] = field(default_factory=list)

    @classmethod
    def prepare(cls, args: argparse.Namespace) -> TapSettings:
        """Make (or reuse) both virtualenvs before any emulator starts."""
        venvs = {
            tap.name: ensure_venv(tap, args.results, args.reinstall)
            for tap in (TAP_SALESFORCE, TAP_HUBSPOT)
        }
        return cls(venvs, args.tap_timeout, not args.no_bulk)


def measure_taps(taps: TapSettings, emus: Emulators, settings: Any, workdir: Path) -> list[Row]:
    """Every tap run, as table rows."""
    return salesforce_runs(taps, emus, settings, workdir) + hubspot_runs(
        taps, emus, settings, workdir
    )


def salesforce_runs(taps: TapSettings, emus: Emulators, settings: Any, workdir: Path) -> list[Row]:
    username = settings.sources["salesforce"].connection.auth.username
    routes = {host: emus.salesforce for host in SALESFORCE_HOSTS}
    env = shim_env(routes, jwt_subject=username)
    venv = taps.venvs[TAP_SALESFORCE.name]
    _note_startup(taps, TAP_SALESFORCE, venv, env)
    job = Job(TAP_SALESFORCE, venv, env, "salesforce", emus, workdir, taps.timeout)
    fields = list(settings.mapping("salesforce").crm_fields())
    catalog = salesforce_catalog(describe_lead(emus.salesforce, username), fields)
    rows: list[Row] = []
    for api_type in ("REST", "BULK") if taps.bulk else ("REST",):
        inputs = {"config": salesforce_config(api_type), "properties": catalog}
        rows += full_then_again(job, inputs, f"{TAP_SALESFORCE.name} {api_type}", taps.notes)
    if any(row.who.endswith("BULK") and not row.ran for row in rows):
        taps.notes.append(BULK_NOTE)
    return rows


BULK_NOTE = (
    "tap-salesforce BULK: the tap's Bulk mode is Bulk API 1.0: it reads DailyBulkApiBatches "
    "from /limits, then creates jobs under /services/async/61.0/job. The emulator serves "
    "Bulk API 2.0 only (/services/data/vXX.X/jobs/query; its /limits name DailyBulkV2QueryJobs), "
    "so the tap's Bulk mode cannot run against it; its REST mode is the figure"
)


def hubspot_runs(taps: TapSettings, emus: Emulators, settings: Any, workdir: Path) -> list[Row]:
    from sync.demo import SECRETS

    env = shim_env({"api.hubapi.com": emus.hubspot})
    venv = taps.venvs[TAP_HUBSPOT.name]
    _note_startup(taps, TAP_HUBSPOT, venv, env)
    job = Job(TAP_HUBSPOT, venv, env, "hubspot", emus, workdir, taps.timeout)
    catalog = hubspot_catalog(list(settings.mapping("hubspot").crm_fields()))
    inputs = {"config": hubspot_config(SECRETS["hubspot-token"]), "properties": catalog}
    return full_then_again(job, inputs, TAP_HUBSPOT.name, taps.notes)


#: the hosts tap-salesforce may name: its login hosts and an org's own domain
SALESFORCE_HOSTS = ("login.salesforce.com", "test.salesforce.com", "*.my.salesforce.com")
FIGURES = {
    "salesforce": (FULL_SALESFORCE, NO_CHANGE_SALESFORCE),
    "hubspot": (FULL_HUBSPOT, NO_CHANGE_HUBSPOT),
}


@dataclass
class Job:
    """One tap against one emulator: its virtualenv, environment and working folder."""

    tap: Tap
    venv: Path
    env: dict[str, str]
    emulator: str  # "salesforce" or "hubspot"
    emus: Emulators
    workdir: Path
    timeout: float

    def run(self, inputs: dict[str, Any], label: str) -> TapRun:
        """One measured subprocess, the emulator's counters zeroed first."""
        self.emus.start_run(self.emulator)
        run = run_tap(self.tap, self.venv, self.workdir, label, inputs, self.env, self.timeout)
        base = self.emus.salesforce if self.emulator == "salesforce" else self.emus.hubspot
        run.problem = run.problem.replace(base, f"<{self.emulator} emulator>")
        return run

    def row(self, figure: str, who: str, run: TapRun) -> Row:
        """``run`` as a table row, with the calls the emulator counted during it."""
        calls = self.emus.calls(self.emulator)
        problem = "" if run.ok else f"exit {run.exit_code} after {run.seconds:.1f} s: {run.problem}"
        return Row(figure, who, run.records, run.seconds, calls, problem, run.cpu)


def full_then_again(job: Job, inputs: dict[str, Any], who: str, notes: list[str]) -> list[Row]:
    """A first run from no state, then a run from the state it emitted (nothing changed)."""
    full_figure, again_figure = FIGURES[job.emulator]
    label = who.replace(" ", "-").lower()
    print(f"{who}: full extraction ...", flush=True)
    full = job.run({**inputs, "state": None}, f"{label}-full")
    rows = [job.row(full_figure, who, full)]
    if not full.ok:
        return rows
    print(f"{who}: incremental run from its state ...", flush=True)
    state = whole_second_bookmarks(full.state) if job.emulator == "salesforce" else full.state
    if state != full.state:
        notes.append(f"{who}: {WHOLE_SECONDS_NOTE}")
    again = job.run({**inputs, "state": state}, f"{label}-again")
    return [*rows, job.row(again_figure, who, again)]


WHOLE_SECONDS_NOTE = (
    "the state's bookmark was handed back in whole seconds (same instant): the tap writes "
    "it with microseconds (2024-01-01T00:00:00.000000Z) into its next SOQL query, outside "
    "the dateTime formats Salesforce documents "
    "(https://developer.salesforce.com/docs/platform/salesforce-soql-sosl/guide/"
    "sforce-api-calls-soql-select-dateformats.md), which the emulator refuses "
    "(MALFORMED_QUERY); live orgs accept it in practice"
)
_ZERO_FRACTION = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.0+Z$")


def whole_second_bookmarks(state: Any) -> Any:
    """``state`` with every ``...T00:00:00.000000Z`` value written ``...T00:00:00Z``."""
    if isinstance(state, dict):
        return {key: whole_second_bookmarks(value) for key, value in state.items()}
    if isinstance(state, str):
        return _ZERO_FRACTION.sub(r"\1Z", state)
    return state


def _note_startup(taps: TapSettings, tap: Tap, venv: Path, env: dict[str, str]) -> None:
    """Check the shim loads; on the first round, note the tap's interpreter start-up."""
    check_shim(venv, env)
    if any(note.startswith(tap.spec) for note in taps.notes):
        return
    seconds = startup_seconds(venv, tap.module, env)
    taps.notes.append(
        f"{tap.spec}: starting its interpreter and importing {tap.module} takes "
        f"{seconds:.2f} s, part of each of its runs' seconds"
    )


def describe_lead(url: str, username: str) -> list[dict[str, Any]]:
    """``fields[]`` of the emulated Lead (for the catalog's field types)."""
    from simple_salesforce import Salesforce

    from connectors.salesforce.client import SalesforceConnection, SessionAuth, build_session
    from sync.demo import SECRETS

    sf = Salesforce(
        username=username,
        password=SECRETS["salesforce-password"],
        security_token=SECRETS["salesforce-token"],
        domain="login",
        session=build_session(
            SalesforceConnection(SessionAuth("-"), instance_url=url, login_url=url)
        ),
    )
    described = sf.restful("sobjects/Lead/describe")
    if not isinstance(described, dict) or "fields" not in described:
        raise RuntimeError("the Salesforce emulator answered the Lead describe without fields")
    fields: list[dict[str, Any]] = described["fields"]
    return fields
