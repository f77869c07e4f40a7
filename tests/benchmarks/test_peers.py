"""Spec of the pieces of ``benchmarks/peers.py`` that decide what it reports: the loopback
shim the taps run under, the Singer output it reads, and the goals it checks. (The benchmark
itself installs the taps from PyPI and stays a manual run.)"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

from connectors.sandbox.salesforce import SalesforceEmulator
from connectors.sandbox.server import Server

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
SHIM = BENCHMARKS / "peer_shim" / "sitecustomize.py"


def load(name: str, path: Path) -> ModuleType:
    """A benchmark module by its file (benchmarks/ is a folder of scripts, not a package)."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


shim = load("benchmarks_peer_shim", SHIM)  # without its environment variable it patches nothing
table = load("benchmarks_peers_table", BENCHMARKS / "peers_table.py")
taps = load("benchmarks_peers_taps", BENCHMARKS / "peers_taps.py")
ROUTES = {"api.hubapi.com": "http://127.0.0.1:8001", "*.my.salesforce.com": "http://[::1]:8002"}


def test_given_routes_when_a_tap_names_a_vendor_host_then_the_emulator_gets_it() -> None:
    assert (
        shim.target("https://api.hubapi.com/crm/v3/objects/contacts?limit=100", ROUTES)
        == "http://127.0.0.1:8001/crm/v3/objects/contacts?limit=100"
    )
    assert shim.target("https://acme.my.salesforce.com/services/data", ROUTES) == (
        "http://[::1]:8002/services/data"
    )
    assert shim.target("http://localhost:9/x", ROUTES) == "http://localhost:9/x"


def test_given_routes_when_a_tap_names_any_other_host_then_the_shim_refuses_it() -> None:
    for url in (
        "https://api.example.invalid/crm/v3/objects/contacts",
        "https://login.salesforce.com/services/oauth2/token",  # not routed here
        "http://127.0.0.1.example.invalid/",
        "https://my.salesforce.com.example.invalid/",
    ):
        assert shim.target(url, ROUTES) is None, url


def test_given_the_shim_when_a_refresh_token_grant_is_posted_then_the_emulator_logs_in() -> None:
    emulator = SalesforceEmulator(leads=0)
    client = (
        "import requests\n"
        "answer = requests.post('https://login.salesforce.com/services/oauth2/token', data={"
        "'grant_type': 'refresh_token', 'refresh_token': 'r', 'client_id': 'c'}, timeout=10)\n"
        "print(answer.status_code, answer.json()['instance_url'])\n"
    )
    with Server(emulator) as server:
        env = {
            **os.environ,
            "PYTHONPATH": str(SHIM.parent),
            "LEADLOOP_PEER_ROUTES": json.dumps({"login.salesforce.com": server.url}),
            "LEADLOOP_PEER_JWT_SUBJECT": "admin@leadloop.sandbox",
        }
        ran = subprocess.run(
            [sys.executable, "-c", client], env=env, capture_output=True, text=True, timeout=60
        )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.split() == ["200", server.url]
    assert emulator.calls == Counter({"token": 1})


def test_given_the_shim_when_a_client_names_another_host_then_it_exits_before_any_socket() -> None:
    client = (
        "import socket\n"
        "def guard(*args, **kwargs):\n"
        "    raise SystemExit('a socket was used')\n"
        "socket.getaddrinfo = guard\n"
        "socket.socket.connect = guard\n"
        "import requests\n"
        "requests.get('https://api.example.invalid/crm/v3/objects/contacts', timeout=10)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(SHIM.parent), "LEADLOOP_PEER_ROUTES": "{}"}
    ran = subprocess.run(
        [sys.executable, "-c", client], env=env, capture_output=True, text=True, timeout=60
    )
    assert ran.returncode == taps.REFUSED_EXIT == shim.REFUSED_EXIT, ran.stderr
    assert "refused a request to non-loopback host api.example.invalid" in ran.stderr


def test_given_singer_output_then_records_are_counted_and_the_last_state_kept(
    tmp_path: Path,
) -> None:
    output = tmp_path / "out.jsonl"
    lines = [
        {"type": "SCHEMA", "stream": "Lead", "schema": {}, "key_properties": ["Id"]},
        {"type": "RECORD", "stream": "Lead", "record": {"Id": "1"}},
        {"type": "STATE", "value": {"bookmarks": {"Lead": {"SystemModstamp": "a"}}}},
        {"type": "RECORD", "stream": "Lead", "record": {"Id": "2", "type": "STATE"}},
        {"type": "STATE", "value": {"bookmarks": {"Lead": {"SystemModstamp": "b"}}}},
    ]
    output.write_text("".join(json.dumps(line) + "\n" for line in lines))
    assert taps.read_messages(output) == (2, {"bookmarks": {"Lead": {"SystemModstamp": "b"}}})


def test_given_measured_rows_then_each_goal_is_judged_on_the_figures() -> None:
    row = table.Row
    rows = [
        row(
            table.FULL_SALESFORCE, table.LEADLOOP, 100, 10.0, Counter(query=1, query_more=2), cpu=8
        ),
        row(table.FULL_SALESFORCE, table.FLOOR, 100, 4.0, Counter(query=3)),
        row(
            table.FULL_SALESFORCE,
            "tap-salesforce REST",
            100,
            15.0,
            Counter(query=3, token=1),
            cpu=12,
        ),
        row(table.FULL_SALESFORCE, "tap-salesforce BULK", problem="Bulk API 1.0"),
        row(table.FULL_HUBSPOT, table.LEADLOOP, 50, 1.0, Counter(search=3)),
        row(table.FULL_HUBSPOT, "tap-hubspot", 48, 2.5, Counter(contacts_list=5)),
        row(table.NO_CHANGE_HUBSPOT, table.LEADLOOP, 0, 0.2, Counter(search=1, properties_read=1)),
    ]
    assert table.comparisons(rows) == [
        "Salesforce full sync: leadloop / floor = 2.50x time",
        "Salesforce full sync: leadloop vs tap-salesforce REST: 1.50x faster (goal >= 2x: "
        "MISSED); CPU 8.00 s vs 12.00 s; calls 3 vs 4 (goal fewer: met)",
        "HubSpot full sync: leadloop vs tap-hubspot: 2.50x faster (goal >= 2x: met); calls 3 "
        "vs 5 (goal fewer: met)",
        "HubSpot no-change incremental: leadloop 0.20 s, 2 calls (goal < 1 s and <= 2 calls: met)",
    ]
    printed = table.table(rows).splitlines()
    assert (
        printed[5]
        == "| Salesforce full sync | tap-salesforce BULK |  |  |  |  | not run: Bulk API 1.0 |"
    )
    assert printed[2] == (
        "| Salesforce full sync | leadloop | 100 | 10.00 | 8.00 | 3 | query_more 2, query 1 |"
    )


def test_given_a_daemon_cycle_row_then_it_is_judged_against_the_taps_as_well() -> None:
    row = table.Row
    rows = [
        row(table.NO_CHANGE_SALESFORCE, table.LEADLOOP, 0, 0.4, Counter(login=1, query=1)),
        row(table.NO_CHANGE_SALESFORCE, table.DAEMON, 0, 0.3, Counter(query=1)),
        row(table.NO_CHANGE_SALESFORCE, "tap-salesforce REST", 1, 0.3, Counter(token=1, query=1)),
    ]
    assert table.comparisons(rows) == [
        "Salesforce no-change incremental: leadloop vs tap-salesforce REST: 1.33x slower; "
        "calls 2 vs 2 (goal fewer: MISSED)",
        "Salesforce no-change incremental: leadloop 0.40 s, 2 calls (goal < 1 s and <= 2 calls: "
        "met)",
        "Salesforce no-change incremental: leadloop run, kept connector vs tap-salesforce REST: "
        "1.00x faster; calls 1 vs 2 (goal fewer: met)",
        "Salesforce no-change incremental: leadloop run, kept connector 0.30 s, 1 calls (goal < "
        "1 s and <= 2 calls: met)",
    ]


def test_given_repeated_runs_then_the_median_run_is_kept_with_the_spread() -> None:
    row = table.Row
    rows = [
        row(table.FULL_HUBSPOT, table.LEADLOOP, 50, 9.0, Counter(search=4)),
        row(table.FULL_HUBSPOT, "tap-hubspot", problem="exit 1"),
        row(table.FULL_HUBSPOT, table.LEADLOOP, 50, 3.0, Counter(search=3)),
        row(table.FULL_HUBSPOT, table.LEADLOOP, 50, 4.0, Counter(search=5)),
        row(table.FULL_HUBSPOT, "tap-hubspot", problem="exit 2"),
    ]
    ours, peer = table.median_rows(rows)
    assert (ours.seconds, ours.total_calls, ours.spread) == (4.0, 5, (3.0, 9.0))
    assert (peer.ran, peer.problem) == (False, "exit 1")
