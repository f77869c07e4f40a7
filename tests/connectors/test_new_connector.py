"""docs/new-connector.md is true: its example CRM, copied from the page's code blocks into a
folder of its own beside connectors/, is found by the registry and synced by the CLI, with no
edit anywhere else."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "new-connector.md"
BLOCK = re.compile(r"```(?:python|yaml)\n# (\S+)\n(.*?)```", re.S)

CRM = {
    "records": [
        # moved back to working, the lost reason lingers: to be cleared
        {"Id": "L1", "Modified": "2026-11-01T09:00:00+00:00", "Status": "working",
         "Reason": "no_budget_now", "Email": "ada@example.com"},
        {"Id": "L2", "Modified": "2026-11-01T09:00:00+00:00", "Status": "lost",
         "Reason": "competitor", "Email": "bob@example.com"},
    ]
}  # fmt: skip


def walk_through(folder: Path) -> Path:
    """The guide's files, written where each block's first line says; the config's folder."""
    blocks = BLOCK.findall(GUIDE.read_text(encoding="utf-8"))
    for path, text in blocks:
        target = folder / "plugins" / path if path.startswith("connectors/") else folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    (folder / "crm.json").write_text(json.dumps(CRM), encoding="utf-8")
    return folder / "leadloop.yaml"


def leadloop(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    plugins = config.parent / "plugins"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(plugins), os.getcwd()])}
    return subprocess.run(
        [sys.executable, "-m", "sync", *args, "-c", str(config)],
        env=env, cwd=config.parent, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


@pytest.mark.slow
def test_given_the_guide_followed_when_checked_and_synced_then_its_crm_is_corrected(
    tmp_path: Path,
) -> None:
    config = walk_through(tmp_path)
    assert (tmp_path / "plugins" / "connectors" / "jsonfile" / "spec.py").exists()

    checked = leadloop(config, "check", "--connect")
    assert checked.returncode == 0, checked.stderr
    assert leadloop(config, "db", "upgrade").returncode == 0
    synced = leadloop(config, "sync")
    assert synced.returncode == 5, synced.stderr  # 1 lead of 2: over the change budget
    approved = leadloop(config, "approve", "1")
    assert approved.returncode == 0, approved.stderr

    records = {r["Id"]: r for r in json.loads((tmp_path / "crm.json").read_text())["records"]}
    assert records["L1"]["Reason"] is None  # the lingering reason was cleared in the CRM
    assert records["L2"]["Reason"] == "competitor"  # a lost lead keeps its reason
    status = leadloop(config, "status", "--json")
    assert json.loads(status.stdout)["sources"][0]["leads"] == 2


def test_given_the_guide_then_every_file_it_names_is_a_code_block() -> None:
    paths = [path for path, _ in BLOCK.findall(GUIDE.read_text(encoding="utf-8"))]
    assert paths == [
        "connectors/jsonfile/__init__.py",
        "connectors/jsonfile/connector.py",
        "connectors/jsonfile/spec.py",
        "jsonfile_lead.yaml",
        "leadloop.yaml",
    ]
