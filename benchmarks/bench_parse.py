"""Parser benchmark: accuracy per format, template and quirk; the label-free consistency
of real documents; PDF speed against a naive pdfplumber baseline; peak memory over 1,000
documents.

    .venv/bin/python benchmarks/bench_parse.py [--n 400] [--seed 21] [--real DIR] [--out benchmarks/out]

Accuracy and speed are measured on the batch path (`govinfo parse FILE FILE…`, JSON Lines),
so interpreter start-up is paid once per batch, as a user running it over a folder pays it.
Besides strict cell accuracy it counts what matters more: wrong numbers (a printed value
that is not the truth; must be 0), cells left null as uncertain, and silent misses (a
document called exact or verified whose cells are not the truth; must be 0).

Consistency needs no gold: the share of documents whose parsed tables satisfy every
within-report rule, by format and template — for the seeds always, and for every document
under --real DIR (real reports found in public repositories; not committed).

The baseline is what one would write first: pdfplumber.open, extract_tables() on every page
(pages closed), over the same PDF files, in the same run. Results are printed and written to
OUT/results.json; BENCHMARKS.md quotes them.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
GOVINFO = [sys.executable, "-m", "govinfo.cli", "parse"]

BASELINE = r"""
import sys, pdfplumber
for path in sys.argv[1:]:
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.extract_tables()
            page.close()
"""

RSS_PROBE = r"""
import sys, itertools
from ingestion.parser.parse import parse_file
from ingestion.parser.document import RejectedDocument
files = sys.argv[2:]
n = int(sys.argv[1])
marks = {10, 100, 250, 500, 750, n}
def rss_mb():
    for line in open('/proc/self/status'):
        if line.startswith('VmRSS'):
            return int(line.split()[1]) / 1024
for i, path in enumerate(itertools.islice(itertools.cycle(files), n), start=1):
    try:
        parse_file(path)
    except RejectedDocument:
        pass
    if i in marks:
        print(i, round(rss_mb(), 1), flush=True)
"""


def corpus(out: Path, n: int, seed: int, formats: dict | None = None, tag: str = "") -> Path:
    target = out / f"corpus{tag}_n{n}_seed{seed}"
    if not (target / "gold").exists():
        from corpus.generate import build_corpus, write_corpus
        t0 = time.perf_counter()
        write_corpus(build_corpus(n, seed, bad=formats is None, formats=formats), target)
        print(f"generated corpus in {time.perf_counter() - t0:.0f} s: {target}")
    return target


def run_batch(files: list[Path]) -> tuple[float, list[dict]]:
    t0 = time.perf_counter()
    p = subprocess.run([*GOVINFO, *map(str, files)], capture_output=True, text=True, cwd=REPO)
    secs = time.perf_counter() - t0
    return secs, [json.loads(line) for line in p.stdout.splitlines()]


def _status(out: dict) -> str:
    return out.get("extraction", {}).get("status", "rejected")


def accuracy(target: Path) -> dict:
    golds = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted((target / "gold").glob("*.json"))}
    files = {p.stem: p for p in (target / "docs").iterdir()}
    ids = sorted(golds)
    _, outputs = run_batch([files[i] for i in ids])
    per_format: dict[str, dict] = defaultdict(lambda: defaultdict(int))
    per_quirk: dict[str, dict] = defaultdict(lambda: defaultdict(int))
    errors = []
    for gid, out in zip(ids, outputs):
        gold = golds[gid]
        fmt = gold["format"]
        if gold.get("expect_error"):
            per_format["bad input"]["docs"] += 1
            per_format["bad input"]["rejected"] += "error" in out
            continue
        quirks = gold["notes"].split("quirks=")[1].split(",")
        source = gold["notes"].split("source=")[1].split(";")[0]
        key = f"{fmt} {gold.get('template', '2021')}"
        buckets = [per_format[key], per_format[f"{fmt} all"], per_format["overall"]] + [per_quirk[q] for q in quirks]
        cells = out.get("cells", {})
        missed = [f for f, v in gold["cells"].items() if cells.get(f) != v]
        wrong = [f for f in missed if cells.get(f) is not None]
        status = _status(out)
        for b in buckets:
            b["docs"] += 1
            b["cells"] += len(gold["cells"])
            b["ok"] += len(gold["cells"]) - len(missed)
            b["wrong"] += len(wrong)
            b["null"] += len(missed) - len(wrong)
            b["exact"] += not missed and out.get("agency") == gold["agency"] and out.get("year") == gold["year"]
            b["silent"] += bool(missed) and status not in ("uncertain", "rejected")
            b["st_" + status] += 1
            b["agency"] += out.get("agency") == gold["agency"]
            b["year"] += out.get("year") == gold["year"]
        if missed or out.get("agency") != gold["agency"]:
            errors.append({"id": gid, "source": source, "quirks": quirks, "error": out.get("error"), "status": status,
                           "wrong": wrong[:5], "null": [f for f in missed if f not in wrong][:5]})
    table = {k: ({"docs": v["docs"], "rejected": v["rejected"]} if k == "bad input" else
                 {"docs": v["docs"], "strict": v["ok"] / v["cells"], "docs_exact": v["exact"] / v["docs"],
                  "wrong_cells": v["wrong"], "null_cells": v["null"], "silent_misses": v["silent"],
                  "statuses": {s: v["st_" + s] for s in ("exact", "verified", "uncertain", "rejected") if v["st_" + s]},
                  "agency": v["agency"] / v["docs"], "year": v["year"] / v["docs"]})
             for k, v in sorted(per_format.items())}
    quirks = {k: {"docs": v["docs"], "strict": v["ok"] / v["cells"], "docs_exact": v["exact"] / v["docs"],
                  "wrong_cells": v["wrong"]}
              for k, v in sorted(per_quirk.items())}
    return {"per_format": table, "per_quirk": quirks, "errors": errors}


def consistency(paths: list[Path]) -> dict:
    """Label-free: per format and template, the documents whose parsed tables satisfy every
    within-report rule (no violation, none left unchecked), and how they were read."""
    _, outputs = run_batch(paths)
    groups: dict[str, dict] = defaultdict(lambda: defaultdict(int))
    docs = []
    for path, out in zip(paths, outputs):
        if "error" in out:
            key = "rejected"
            docs.append({"file": path.name, "error": out["error"]})
        else:
            key = f"{out['source']['format']} {out['template']}"
            consistent = not out["violations"] and not out["extraction"]["unchecked_rules"]
            groups[key]["consistent"] += consistent
            groups[key][out["extraction"]["status"]] += 1
            docs.append({"file": path.name, "template": out["template"], "status": out["extraction"]["status"],
                         "consistent": consistent, "violations": [f"{v['rule']}:{v['subject']}" for v in out["violations"]],
                         "uncertain_cells": len(out["extraction"]["uncertain_cells"])})
        groups[key]["docs"] += 1
        groups["all"]["docs"] += key != "rejected"
        if key != "rejected":
            groups["all"]["consistent"] += docs[-1]["consistent"]
            groups["all"][docs[-1]["status"]] += 1
    return {"groups": {k: dict(v) for k, v in sorted(groups.items())}, "documents": docs}


def speed(target: Path, repeats: int) -> dict:
    pdfs = sorted(p for p in (target / "docs").glob("*.pdf") if "_bad_" not in p.name)
    ours, base = [], []
    for _ in range(repeats):
        ours.append(run_batch(pdfs)[0])
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", BASELINE, *map(str, pdfs)], check=True, cwd=REPO)
        base.append(time.perf_counter() - t0)
    om, bm = statistics.median(ours), statistics.median(base)
    return {"pdf_files": len(pdfs), "repeats": repeats, "govinfo_seconds": ours, "baseline_seconds": base,
            "govinfo_docs_per_s": len(pdfs) / om, "baseline_docs_per_s": len(pdfs) / bm, "speedup": bm / om}


def memory(target: Path, n: int) -> list[tuple[int, float]]:
    docs = sorted(p for p in (target / "docs").iterdir() if "_bad_" not in p.name)
    pdfs = [str(p) for p in docs if p.suffix == ".pdf"]
    p = subprocess.run([sys.executable, "-c", RSS_PROBE, str(n), *pdfs], capture_output=True, text=True,
                       check=True, cwd=REPO)
    return [(int(a), float(b)) for a, b in (line.split() for line in p.stdout.splitlines())]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=400)
    ap.add_argument("--seed", type=int, default=21)
    ap.add_argument("--real", type=Path, help="a folder of real reports (any format, no gold) for the consistency figure")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--rss-docs", type=int, default=1000)
    ap.add_argument("--speed-pdfs", type=int, default=200, help="size of the PDF-only speed set")
    ap.add_argument("--out", type=Path, default=REPO / "benchmarks" / "out")
    args = ap.parse_args()
    os.environ.setdefault("PYTHONPATH", str(REPO))
    target = corpus(args.out, args.n, args.seed)
    results = {"corpus": str(target), "cores": os.cpu_count()}
    results["accuracy"] = accuracy(target)
    print(json.dumps(results["accuracy"]["per_format"], indent=1, ensure_ascii=False))
    seeds = sorted((REPO.parent / "shared" / "seeds").glob("*.txt")) or sorted((REPO / "samples" / "raw").glob("0*.txt"))
    results["consistency_seeds"] = consistency(seeds)
    if args.real:
        real = sorted(p for p in args.real.rglob("*") if p.is_file() and p.suffix.lower() != ".csv")
        results["consistency_real"] = consistency(real)
        print(json.dumps(results["consistency_real"]["groups"], indent=1, ensure_ascii=False))
    pdf_set = corpus(args.out, args.speed_pdfs, args.seed + 1, formats={"pdf-docx": 0.6, "pdf-html": 0.4},
                     tag="_pdf")
    results["speed"] = speed(pdf_set, args.repeats)
    results["speed_accuracy"] = accuracy(pdf_set)["per_format"]
    print(json.dumps(results["speed"], indent=1))
    results["memory_rss_mb"] = memory(pdf_set, args.rss_docs)
    print("RSS (MB) after N PDF documents:", results["memory_rss_mb"])
    (args.out / "results.json").write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
