"""Where parse time goes: start-up, per-document cost by stage, the ratio to naive pdfplumber
and to pdfium's own text extraction, in one run.

    .venv/bin/python benchmarks/bench_speed.py [--pdfs DIR] [--texts DIR] [--repeats 5] [--tree PATH]

`--tree` measures another checkout of the project (an old commit in a `git worktree`) with
this venv and the same files, so a before/after table comes from one period. Stages are timed
by wrapping the functions `parse_file` calls (looked up in its module), so the figures hold for
any version of the parser; each is the median over repeats of the per-document mean.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
STAGES = ["read_document", "doc_lines", "check_one_report", "agency_and_year", "choose_template", "_map",
          "_checks_out", "resolve", "statements"]
NAIVE = ("import sys, pdfplumber\n"
         "for p in sys.argv[1:]:\n"
         "    with pdfplumber.open(p) as pdf:\n"
         "        for page in pdf.pages:\n"
         "            page.extract_tables(); page.close()\n")
PDFIUM = ("import sys, pypdfium2 as pdfium\n"
          "for p in sys.argv[1:]:\n"
          "    pdf = pdfium.PdfDocument(p)\n"
          "    for page in pdf:\n"
          "        page.get_textpage().get_text_bounded(); page.close()\n"
          "    pdf.close()\n")
OURS = "import sys; from govinfo.cli import main; sys.exit(main(['parse', *sys.argv[1:]]))"


def _env(tree: Path) -> dict:
    return {**os.environ, "PYTHONPATH": str(tree)}


def wall(cmd: list[str], env: dict) -> float:
    """Wall seconds of one process, started in the measured tree (`-c` puts the working
    folder first on sys.path)."""
    t = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False, cwd=env["PYTHONPATH"])
    return time.perf_counter() - t


def ratios(pdfs: list[Path], tree: Path, repeats: int) -> dict:
    """Best-of-`repeats` wall times, interleaved: naive pdfplumber, pdfium text alone, ours."""
    env = _env(tree)
    runs: dict[str, list[float]] = {"naive": [], "pdfium": [], "ours": []}
    files = [str(p) for p in pdfs]
    for _ in range(repeats):
        runs["naive"].append(wall([sys.executable, "-c", NAIVE, *files], env))
        runs["pdfium"].append(wall([sys.executable, "-c", PDFIUM, *files], env))
        runs["ours"].append(wall([sys.executable, "-c", OURS, *files], env))
    best = {k: min(v) for k, v in runs.items()}
    return best | {"ratio": best["naive"] / best["ours"], "pdfium_ratio": best["naive"] / best["pdfium"]}


def startup(text: Path, tree: Path, repeats: int) -> dict:
    """Median wall of a bare interpreter, of importing the parser, and of `govinfo parse` of one text report."""
    env = _env(tree)
    bare = [wall([sys.executable, "-c", "pass"], env) for _ in range(repeats)]
    imp = [wall([sys.executable, "-c", "import ingestion.parser.parse"], env) for _ in range(repeats)]
    one = [wall([sys.executable, "-c", OURS, str(text)], env) for _ in range(repeats)]
    return {"python": statistics.median(bare), "import": statistics.median(imp), "parse_one_text": statistics.median(one)}


def stages(files: list[Path], repeats: int) -> dict:
    """Per-document milliseconds by stage, in this process (run with the tree on sys.path)."""
    from ingestion.parser import parse as mod

    spent = {name: 0.0 for name in STAGES if hasattr(mod, name)}

    def timed(name, fn):
        def run(*a, **k):
            t = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                spent[name] += time.perf_counter() - t
        return run

    for name in spent:
        setattr(mod, name, timed(name, getattr(mod, name)))
    for f in files:  # warm: first-use tables, caches
        _parse(mod, f)
    per_round: dict[str, list[float]] = {name: [] for name in [*spent, "total", "other"]}
    for _ in range(repeats):
        for name in spent:
            spent[name] = 0.0
        t = time.perf_counter()
        for f in files:
            _parse(mod, f)
        total = time.perf_counter() - t
        for name in spent:
            per_round[name].append(spent[name] / len(files) * 1000)
        per_round["total"].append(total / len(files) * 1000)
        per_round["other"].append((total - sum(spent.values())) / len(files) * 1000)
    return {name: statistics.median(v) for name, v in per_round.items()}


def _parse(mod, f: Path) -> None:
    try:
        json.dumps(mod.parse_file(f), ensure_ascii=False)
    except Exception:  # noqa: BLE001 - a rejected file costs its time too
        pass


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pdfs", type=Path, default=SHARED / "bench" / "pdfs")
    ap.add_argument("--texts", type=Path, default=SHARED / "seeds")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--tree", type=Path, default=REPO, help="the checkout to measure (default: this one)")
    ap.add_argument("--stages-only", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    pdfs, texts = sorted(a.pdfs.glob("*.pdf")), sorted(a.texts.glob("*.txt"))
    if a.stages_only:  # the child that times stages with the tree's parser
        print(json.dumps({"pdf": stages(pdfs, a.repeats), "text": stages(texts, a.repeats)}))
        return
    print(f"measuring {a.tree} on {len(pdfs)} PDFs and {len(texts)} texts, {a.repeats} repeats", file=sys.stderr)
    child = subprocess.run([sys.executable, __file__, "--stages-only", "--pdfs", str(a.pdfs), "--texts", str(a.texts),
                            "--repeats", str(a.repeats)], env=_env(a.tree), capture_output=True, text=True, check=True)
    out = {"tree": str(a.tree), "stages_ms": json.loads(child.stdout),
           "startup_s": startup(texts[0], a.tree, a.repeats), "wall_s": ratios(pdfs, a.tree, min(a.repeats, 3))}
    print(json.dumps(out, indent=1))
    w = out["wall_s"]
    print(f"ratio {w['ratio']:.2f}x naive pdfplumber (pdfium text alone {w['pdfium_ratio']:.2f}x); "
          f"one text report {out['startup_s']['parse_one_text'] * 1000:.0f} ms wall", file=sys.stderr)


if __name__ == "__main__":
    main()
