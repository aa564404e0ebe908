"""Parser benchmark: accuracy per format and quirk, PDF speed against a naive pdfplumber
baseline, peak memory over 1,000 documents.

    .venv/bin/python benchmarks/bench_parse.py [--n 200] [--seed 7] [--out benchmarks/out]

Accuracy and speed are measured on the batch path (`govinfo parse FILE FILE…`, JSON Lines),
so interpreter start-up is paid once per batch, as a user running it over a folder pays it.
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
        buckets = [per_format[fmt], per_format["overall"]] + [per_quirk[q] for q in quirks]
        cells = out.get("cells", {})
        ok = sum(1 for f, v in gold["cells"].items() if f in cells and cells[f] == v)
        for b in buckets:
            b["docs"] += 1
            b["cells"] += len(gold["cells"])
            b["ok"] += ok
            b["exact"] += ok == len(gold["cells"])
            b["agency"] += out.get("agency") == gold["agency"]
            b["year"] += out.get("year") == gold["year"]
        if ok != len(gold["cells"]) or out.get("agency") != gold["agency"]:
            errors.append({"id": gid, "source": source, "quirks": quirks, "error": out.get("error"),
                           "wrong": [f for f, v in gold["cells"].items() if cells.get(f) != v][:5]})
    table = {k: {"docs": v["docs"], "strict": v["ok"] / v["cells"] if v.get("cells") else None,
                 "docs_exact": v["exact"] / v["docs"] if v["docs"] and "cells" in v else None,
                 "agency": v["agency"] / v["docs"] if "cells" in v else None,
                 "year": v["year"] / v["docs"] if "cells" in v else None,
                 **({"rejected": v["rejected"]} if "rejected" in v else {})}
             for k, v in per_format.items()}
    quirks = {k: {"docs": v["docs"], "strict": v["ok"] / v["cells"], "docs_exact": v["exact"] / v["docs"]}
              for k, v in sorted(per_quirk.items())}
    return {"per_format": table, "per_quirk": quirks, "errors": errors}


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
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--rss-docs", type=int, default=1000)
    ap.add_argument("--speed-pdfs", type=int, default=200, help="size of the PDF-only speed set")
    ap.add_argument("--out", type=Path, default=REPO / "benchmarks" / "out")
    args = ap.parse_args()
    os.environ.setdefault("PYTHONPATH", str(REPO))
    target = corpus(args.out, args.n, args.seed)
    results = {"corpus": str(target), "cores": os.cpu_count()}
    results["accuracy"] = accuracy(target)
    print(json.dumps(results["accuracy"]["per_format"], indent=1))
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
