"""End-to-end benchmark: generated landing folders of 100, 1,000 and 10,000 documents through
`govinfo run` (parse → staging → dbt → GX → publication), then one new document at a time.

    .venv/bin/python benchmarks/bench_pipeline.py [--sizes 100 1000 10000] [--incremental 3] [--seed 31]

Formats as published (text, DOCX, HTML UTF-8/GBK, PDFs rendered by LibreOffice from DOCX, a
few legacy DOC) plus the bad inputs. Peak memory is sampled every 0.2 s over the
whole process tree (`govinfo run`, its parse workers, dbt, LibreOffice): the sum, and the
largest single process. Each step's time comes from Dagster's step events. Results are
printed and written to OUT/pipeline.json; BENCHMARKS.md quotes them.
"""
from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

# PDFs from DOCX only: LibreOffice renders HTML to PDF at ~15 s a file (corpus/writers.py)
FORMATS = {"txt": 0.33, "docx": 0.22, "html": 0.25, "pdf-docx": 0.18, "doc": 0.02}
STEP = re.compile(r"([\w…]+) ([\d.]+)s(?:,|$)")  # the summary's "step times: name 1.2s, …" line


def _tree_rss_mb(pid: int) -> tuple[float, float]:
    """(sum, max) RSS in MB over a process and its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, float] = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(stat[1]), []).append(int(proc.name))
            rss[int(proc.name)] = int((proc / "statm").read_text().split()[1]) * 4096 / 1e6
        except (OSError, IndexError, ValueError):
            continue
    todo, seen = [pid], []
    while todo:
        p = todo.pop()
        seen.append(p)
        todo.extend(children.get(p, []))
    values = [rss.get(p, 0.0) for p in seen]
    return sum(values), max(values or [0.0])


def timed_run(raw: Path, db: Path, cmd: list[str] | None = None, cwd: Path = REPO) -> dict:
    """`govinfo run` (or `cmd`, an equivalent command) timed, with its peak memory and step times."""
    cmd = cmd or [str(Path(sys.executable).parent / "govinfo"), "run", "--raw", str(raw), "--warehouse", str(db)]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=cwd)
    peak = [0.0, 0.0]

    def sample():
        while proc.poll() is None:
            total, largest = _tree_rss_mb(proc.pid)
            peak[0], peak[1] = max(peak[0], total), max(peak[1], largest)
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out = proc.stdout.read()
    proc.wait()
    seconds = time.perf_counter() - t0
    sampler.join()
    if proc.returncode != 0:
        sys.exit(f"govinfo run failed ({proc.returncode}):\n{out[-4000:]}")
    line = next((x for x in out.splitlines() if x.startswith("step times: ")), "")
    steps = {name: float(value) for name, value in STEP.findall(line[len("step times: "):])}
    summary = {k: v for k, v in (line.split(": ", 1) for line in out.splitlines()
                                 if line.startswith(("documents loaded", "documents rejected", "rule checks failed")))}
    return {"seconds": round(seconds, 1), "peak_rss_tree_mb": round(peak[0]), "peak_rss_process_mb": round(peak[1]),
            "steps": {k: round(v, 1) for k, v in steps.items()}, "summary": summary}


def main() -> None:
    from corpus.generate import build_corpus, write_corpus
    from corpus.render import Style, render
    from corpus.truth import series

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    ap.add_argument("--incremental", type=int, default=3, help="one-document runs after the largest build")
    ap.add_argument("--seed", type=int, default=31)
    ap.add_argument("--out", type=Path, default=REPO / "benchmarks" / "out" / "pipeline")
    args = ap.parse_args()
    results = {"sizes": {}, "incremental": []}
    for n in args.sizes:
        folder = args.out / f"n{n}"
        docs = folder / "corpus" / "docs"
        if not docs.is_dir():  # generation is not timed; kept for reruns
            t = time.perf_counter()
            write_corpus(build_corpus(n, seed=args.seed + n, formats=FORMATS), folder / "corpus")
            print(f"generated {n} documents in {time.perf_counter() - t:.0f} s", flush=True)
        shutil.rmtree(folder / "wh", ignore_errors=True)
        r = timed_run(docs, folder / "wh" / "govinfo.duckdb")
        r["files"] = sum(1 for _ in docs.iterdir())
        r["docs_per_second"] = round(n / r["seconds"], 1)
        results["sizes"][n] = r
        print(f"n={n}: {r}", flush=True)
    n = args.sizes[-1]
    folder = args.out / f"n{n}"
    rng = random.Random(args.seed)
    for i in range(args.incremental):
        report = series(rng, [2024])[0]
        (folder / "corpus" / "docs" / f"incremental_{int(time.time())}_{i}.txt").write_text(
            render(report, Style("cells"), rng), encoding="utf-8")
        r = timed_run(folder / "corpus" / "docs", folder / "wh" / "govinfo.duckdb")
        results["incremental"].append(r)
        print(f"incremental {i + 1} (on {n}): {r['seconds']} s", flush=True)
    if results["incremental"]:
        results["incremental_median_seconds"] = statistics.median(r["seconds"] for r in results["incremental"])
    (args.out / "pipeline.json").write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
    print(json.dumps({k: {"seconds": v["seconds"], "rss_tree": v["peak_rss_tree_mb"]} for k, v in results["sizes"].items()}))
    print("incremental median:", results.get("incremental_median_seconds"))


if __name__ == "__main__":
    main()
