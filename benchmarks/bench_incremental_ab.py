"""A/B of the one-new-document run: an earlier commit against this checkout, alternating on
the same 10,000-document warehouse, so both see the same machine (this machine's speed
drifts by a third between sessions; only same-period ratios compare builds).

    .venv/bin/python benchmarks/bench_incremental_ab.py --base 89d353d [--runs 3]

Needs the warehouse of `bench_pipeline.py` (benchmarks/out/pipeline/n10000). The base commit
is checked out as a git worktree under benchmarks/out/ab-base and run with this venv. Each
run adds one new text report to the landing folder, then runs `govinfo run`; a warm-up run
of each build comes first (dbt parses its manifest once). Prints each run and the medians.
"""
from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from bench_pipeline import timed_run  # noqa: E402


def _command(tree: Path, docs: Path, db: Path) -> list[str]:
    code = (f"import sys; sys.path.insert(0, {str(tree)!r}); "
            f"sys.argv = ['govinfo', 'run', '--raw', {str(docs)!r}, '--warehouse', {str(db)!r}]; "
            "from govinfo.cli import main; sys.exit(main())")
    return [sys.executable, "-c", code]


def timed(tree: Path, docs: Path, db: Path) -> dict:
    from corpus.render import Style, render
    from corpus.truth import series

    rng = random.Random(time.time_ns())
    (docs / f"incremental_ab_{time.time_ns()}.txt").write_text(
        render(series(rng, [2024])[0], Style("cells"), rng), encoding="utf-8")
    r = timed_run(docs, db, cmd=_command(tree, docs, db), cwd=tree)
    steps = r["steps"]
    return {"seconds": r["seconds"], "tree_mb": r["peak_rss_tree_mb"], "process_mb": r["peak_rss_process_mb"],
            "dbt": steps.get("dbt_models"), "gx": round(sum(v for k, v in steps.items() if k.endswith("gx")), 1),
            "publish": steps.get("published__marts_snapshot")}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", required=True, help="the earlier commit")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", type=Path, default=REPO / "benchmarks" / "out")
    args = ap.parse_args()
    folder = args.out / "pipeline" / "n10000"
    docs, db = folder / "corpus" / "docs", folder / "wh" / "govinfo.duckdb"
    if not db.exists():
        sys.exit(f"no warehouse at {db}: run benchmarks/bench_pipeline.py first")
    base = args.out / "ab-base"
    if base.exists():
        subprocess.run(["git", "worktree", "remove", "--force", str(base)], cwd=REPO, check=True)
    subprocess.run(["git", "worktree", "add", "--detach", str(base), args.base], cwd=REPO, check=True)
    trees = {"base": base, "this": REPO}
    try:
        for name, tree in trees.items():
            print("warm-up", name, timed(tree, docs, db), flush=True)
        results: dict[str, list[dict]] = {name: [] for name in trees}
        for _ in range(args.runs):
            for name, tree in trees.items():
                r = timed(tree, docs, db)
                results[name].append(r)
                print(name, r, flush=True)
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(base)], cwd=REPO, check=False)
    for name, rs in results.items():
        med = {k: statistics.median(r[k] for r in rs) for k in ("seconds", "dbt", "gx", "publish")}
        print(f"{name}: median {med['seconds']} s (dbt {med['dbt']} s, GX {med['gx']} s, publish {med['publish']} s); "
              f"peak process {max(r['process_mb'] for r in rs)} MB, tree {max(r['tree_mb'] for r in rs)} MB")
    ratio = statistics.median(r["seconds"] for r in results["this"]) / statistics.median(
        r["seconds"] for r in results["base"])
    print(f"this / base: {ratio:.2f}")


if __name__ == "__main__":
    main()
