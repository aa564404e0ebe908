"""Rule detection benchmark: plant every rule's break a known number of times in a corpus
(corpus/planted.py), run the warehouse job on it as an operator would (`govinfo run`), and
count per rule what data_quality_issues found, missed and reported falsely.

    .venv/bin/python benchmarks/bench_detection.py [--agencies 40] [--per-rule 5] [--pdfs 6] [--seed 11]

Prints the detection table (BENCHMARKS.md quotes it) and writes OUT/detection.json.
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from corpus.planted import build_planted, detection_table, format_table, found_findings  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--agencies", type=int, default=40)
    ap.add_argument("--per-rule", type=int, default=5)
    ap.add_argument("--pdfs", type=int, default=6)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--out", type=Path, default=REPO / "benchmarks" / "out" / "detection")
    args = ap.parse_args()

    shutil.rmtree(args.out, ignore_errors=True)
    t0 = time.perf_counter()
    corpus = build_planted(args.seed, args.agencies, args.per_rule, args.pdfs)
    corpus.write(args.out / "raw")
    t1 = time.perf_counter()
    db = args.out / "govinfo.duckdb"
    run = subprocess.run([str(Path(sys.executable).parent / "govinfo"), "run", "--raw", str(args.out / "raw"),
                          "--warehouse", str(db)], capture_output=True, text=True)
    t2 = time.perf_counter()
    if run.returncode != 0:
        sys.exit(f"govinfo run failed:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}")
    with duckdb.connect(str(db), read_only=True) as con:
        found = found_findings(con, corpus.names)
    table = detection_table(corpus.expected, found, corpus.planted)
    print(f"corpus: {corpus.reports} reports of {len(corpus.names)} agencies, {len(corpus.files)} files "
          f"(seed {args.seed}), generated in {t1 - t0:.1f} s; govinfo run {t2 - t1:.1f} s\n")
    print(format_table(table))
    for f in sorted(corpus.expected - found, key=str):
        print("missed:", f)
    for f in sorted(found - corpus.expected, key=str):
        print("false:", f)
    (args.out / "detection.json").write_text(json.dumps(
        {"seed": args.seed, "agencies": len(corpus.names), "reports": corpus.reports, "files": len(corpus.files),
         "run_seconds": round(t2 - t1, 1), "table": table}, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
