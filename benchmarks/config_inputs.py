"""What the worst config inputs cost: `leadloop check` on each, in a child process.

Each input is written to a temporary folder and loaded by ``load_settings`` in a fresh child
(address space capped with ``--cap-mb`` so that an unbounded input fails instead of taking the
machine). Prints wall and CPU seconds, the child's peak RSS, and the first line it answered::

    .venv/bin/python benchmarks/config_inputs.py            # every input
    .venv/bin/python benchmarks/config_inputs.py --only alias_bomb big_config
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

STORE = "store:\n  url: sqlite:///leadloop.db\n"
HUBSPOT = "sources:\n  hs:\n    type: hubspot\n    connection:\n      access_token: {token}\n"
RULE = (
    "    - when: {reason: competitor, min_share: 0.2}\n"
    '      then: "{reason} is {share:.0%} of the leads from {campaign}, padded to length"\n'
)
CHILD = """
import json, resource, sys, time
from sync.config.settings import ConfigError, load_settings
start, cpu = time.perf_counter(), time.process_time()
try:
    load_settings(sys.argv[1], env={})
    answer = "loaded"
except ConfigError as error:
    answer = str(error).splitlines()[0]
except BaseException as error:  # what the input costs is the point, whatever it raises
    answer = f"{type(error).__name__} (a crash)"
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"wall": time.perf_counter() - start, "cpu": time.process_time() - cpu,
                  "rss_mb": peak / 1024, "answer": answer}))
"""


def alias_bomb(folder: Path) -> Path:
    lines = ["  a0: &a0 [" + ", ".join(["lol"] * 9) + "]"]
    lines += [f"  a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]
    return _write(folder, STORE + "limits:\n" + "\n".join(lines) + "\n")


def deep_list(folder: Path) -> Path:
    return _write(folder, STORE + "limits: " + "[" * 5000 + "]" * 5000 + "\n")


def big_config(folder: Path) -> Path:
    rules = RULE * (46_000_000 // len(RULE))
    return _write(folder, STORE + "feedback:\n  recommendations:\n" + rules)


def largest_allowed(folder: Path) -> Path:
    """Just under 1 MB, every line a value: the most work a file within the limit can ask."""
    text, index = STORE + "limits:\n  x:\n", 0
    lines: list[str] = []
    while len(text) + 12 * len(lines) < 990_000:
        lines.append(f"    - {index:05d}\n")  # 12 bytes a value
        index += 1
    return _write(folder, text + "".join(lines))


def secret_dev_zero(folder: Path) -> Path:
    return _write(folder, STORE + HUBSPOT.format(token="{file: /dev/zero}"))


def catalogue_dev_zero(folder: Path) -> Path:
    return _write(folder, STORE + "reasons: {catalogue: /dev/zero}\n")


INPUTS: dict[str, Callable[[Path], Path]] = {
    "alias_bomb": alias_bomb,
    "deep_list": deep_list,
    "big_config": big_config,
    "largest_allowed": largest_allowed,
    "secret_dev_zero": secret_dev_zero,
    "catalogue_dev_zero": catalogue_dev_zero,
}


def _write(folder: Path, text: str) -> Path:
    path = folder / "leadloop.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def measure(path: Path, cap_mb: int, timeout: float) -> dict[str, object]:
    def cap() -> None:
        limit = cap_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    start = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(path)],
            capture_output=True,
            text=True,
            timeout=timeout,
            preexec_fn=cap,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"answer": f"still running after {timeout:.0f} s"}
    lines = done.stdout.strip().splitlines()
    if not lines:
        return {"wall": time.perf_counter() - start, "answer": f"died: {done.stderr[-200:]}"}
    return dict(json.loads(lines[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", choices=sorted(INPUTS), default=sorted(INPUTS))
    parser.add_argument("--cap-mb", type=int, default=4096, help="address space of each child")
    parser.add_argument("--timeout", type=float, default=900, help="seconds per input")
    args = parser.parse_args()
    print(f"{'input':<20} {'size':>10} {'wall s':>8} {'cpu s':>8} {'peak MB':>8}  answer")
    for name in args.only:
        with tempfile.TemporaryDirectory() as folder:
            path = INPUTS[name](Path(folder))
            size = path.stat().st_size
            row = measure(path, args.cap_mb, args.timeout)
        wall, cpu, rss = (row.get(k) for k in ("wall", "cpu", "rss_mb"))
        figures = [f"{v:8.3f}" if isinstance(v, float) else f"{'-':>8}" for v in (wall, cpu, rss)]
        print(f"{name:<20} {size:>10,} {' '.join(figures)}  {row['answer']}")


if __name__ == "__main__":
    main()
