"""Records per second of N ``leadloop run`` workers sharing one PostgreSQL store.

Starts ``--pairs`` sandbox processes (a Salesforce and a HubSpot emulator each, so 2 x pairs
sources), a private PostgreSQL server, then ``--workers`` daemons whose every source is due at
once; times the first full sync (pull, evaluate, write back) of every source. Each trial starts
from fresh emulators and an empty database. One worker already runs its sources in threads;
more workers add processes (and CPU) and share the sources through the leases.

Run: ``.venv/bin/python benchmarks/workers_throughput.py --workers 1 3``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

from sync.demo import SECRETS
from sync.store.db import make_engine, session_factory, upgrade
from sync.store.models import LeadRow, Run
from sync.store.states import RunState

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the suite's PostgreSQL helper
from tests.pg import PostgresServer, _free_port, find_bindir

SOURCE = """\
  sf{n}:
    type: salesforce
    schedule: {{every: 1h}}
    connection:
      instance_url: {sf}
      login_url: {sf}
      auth:
        method: password
        username: admin@leadloop.sandbox
        password: {{file: secrets/salesforce-password}}
        security_token: {{file: secrets/salesforce-token}}
  hs{n}:
    type: hubspot
    schedule: {{every: 1h}}
    connection:
      base_url: {hs}
      access_token: {{file: secrets/hubspot-token}}
      create_missing_options: true
"""
LIMITS = (
    "limits:\n  api_budget_share: 1.0\n  change_budget: {max_records: 1000000, max_percent: 100}\n"
)


def _python(*args: str, **kwargs: object) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "sync", *args], text=True, **kwargs)  # type: ignore[call-overload]


def _sandboxes(
    pairs: int, leads: int, contacts: int
) -> tuple[list[subprocess.Popen[str]], list[tuple[str, str]]]:
    processes, urls = [], []
    for _ in range(pairs):
        box = _python(
            "sandbox",
            "--salesforce-port",
            "0",
            "--hubspot-port",
            "0",
            "--leads",
            str(leads),
            "--contacts",
            str(contacts),
            stdout=subprocess.PIPE,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},  # its URLs, now, not at exit
        )
        assert box.stdout is not None
        first, second = box.stdout.readline(), box.stdout.readline()
        urls.append((first.split()[2], second.split()[2]))
        processes.append(box)
    return processes, urls


def _config(directory: Path, store: str, urls: list[tuple[str, str]]) -> Path:
    (directory / "secrets").mkdir(exist_ok=True)
    for name, value in SECRETS.items():
        (directory / "secrets" / name).write_text(value + "\n", encoding="utf-8")
    sources = "".join(SOURCE.format(n=n, sf=sf, hs=hs) for n, (sf, hs) in enumerate(urls, 1))
    path = directory / "leadloop.yaml"
    path.write_text(f"store:\n  url: {store}\nsources:\n{sources}{LIMITS}", encoding="utf-8")
    return path


def trial(server: PostgresServer, workers: int, args: argparse.Namespace, number: int) -> None:
    """Time the first full sync of every source with ``workers`` daemons."""
    store = server.admin_url.set(database=f"bench{number}")
    subprocess.run(
        [*server._as_user, str(server.bindir / "createdb"), "-h", "127.0.0.1", "-p",
         str(server.port), "-U", "postgres", f"bench{number}"], check=True,
    )  # fmt: skip
    boxes, urls = _sandboxes(args.pairs, args.leads, args.contacts)
    engine = make_engine(store)
    upgrade(engine)
    sessions = session_factory(engine)
    wanted = 2 * args.pairs
    with tempfile.TemporaryDirectory() as tmp:
        config = _config(Path(tmp), store.render_as_string(hide_password=False), urls)
        started = time.monotonic()
        daemons = [
            _python("--log-level", "error", "run", "-c", str(config), "--worker-id", f"w{i}")
            for i in range(workers)
        ]
        try:
            while True:
                with sessions() as session:
                    done = session.scalar(
                        select(func.count(func.distinct(Run.source))).where(
                            Run.state == RunState.SUCCEEDED
                        )
                    )
                if done == wanted:
                    break
                time.sleep(0.2)
            seconds = time.monotonic() - started
            with sessions() as session:
                records = session.scalar(select(func.count()).select_from(LeadRow)) or 0
        finally:
            for process in [*daemons, *boxes]:
                process.send_signal(signal.SIGTERM)
            for process in [*daemons, *boxes]:
                process.wait(120)
            engine.dispose()
    print(
        f"{workers} worker(s), {wanted} sources: {records:,} records in {seconds:.1f} s, "
        f"{records / seconds:,.0f} records/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 3])
    parser.add_argument("--pairs", type=int, default=3, help="sandbox processes (2 sources each)")
    parser.add_argument("--leads", type=int, default=6000)
    parser.add_argument("--contacts", type=int, default=3000)
    args = parser.parse_args()
    bindir = find_bindir()
    if bindir is None:
        sys.exit("PostgreSQL server binaries not found (Debian's postgresql package)")
    server = PostgresServer(bindir, Path(tempfile.mkdtemp(prefix="leadloop-bench-")), _free_port())
    server.start()
    try:
        for number, workers in enumerate(args.workers):
            trial(server, workers, args, number)
    finally:
        server.stop()
        shutil.rmtree(server.root, ignore_errors=True)
    print(f"(each sandbox: {args.leads} leads + {args.contacts} contacts; cpus: {os.cpu_count()})")


if __name__ == "__main__":
    main()
