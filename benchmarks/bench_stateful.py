"""The stateful test of issue 22 run long: many random sequences of arrivals, partial copies,
renames, deletions, re-uploads, corrections, drops and releases, SIGKILLed loads and lost or
corrupted state files, with the invariants checked after every step (tests/library/test_stateful.py).

    .venv/bin/python benchmarks/bench_stateful.py [--examples 200] [--steps 25]

Prints the sequences, steps and kills it survived (or the failing sequence, shrunk).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--examples", type=int, default=200)
    ap.add_argument("--steps", type=int, default=25)
    a = ap.parse_args()
    report = Path(tempfile.mkdtemp()) / "counts.json"
    env = {**os.environ, "GOVINFO_STATEFUL_EXAMPLES": str(a.examples), "GOVINFO_STATEFUL_STEPS": str(a.steps),
           "GOVINFO_STATEFUL_REPORT": str(report)}
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider",
                           "tests/library/test_stateful.py"], cwd=REPO, env=env, check=False)
    counts = json.loads(report.read_text(encoding="utf-8")) if report.exists() else {}
    print(f"stateful: {'survived' if done.returncode == 0 else 'FAILED'}: {counts.get('sequences', 0)} sequences, "
          f"{counts.get('steps', 0)} steps (each checked after a clean load), {counts.get('kills', 0)} loads killed; "
          f"{time.perf_counter() - start:.0f} s")
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
