"""Scanned reports (issue 26): accuracy per resolution and per kind of noise, and seconds per page.

Each generated report PDF of the committed fixture corpus (LibreOffice output, exact truth)
is scanned by corpus/scans.py at 150, 200 and 300 dpi, and at 200 dpi with each kind of
noise (skew, blur, JPEG, grey or yellowed paper, a red seal, a photographed page; and the
skewed pages pasted into a Word file as pictures), then
parsed by `parse_file` in worker processes (one thread each). Per kind: strict (cells equal
to the truth, a null counts as a miss), non-zero cells read right, **wrong non-null cells**
(the figure that must stay near zero), agency and year, pages per second per core.

    .venv/bin/python benchmarks/bench_scan.py                       # --docs 8 --jobs 2
    .venv/bin/python benchmarks/bench_scan.py --engine tesseract    # cells by Tesseract (chi_sim)

`--engine tesseract` recognises the cells with Tesseract 5 through tesserocr (not a project
dependency: `pip install tesserocr` into the venv, and Debian's tesseract-ocr-chi-sim) in
place of RapidOCR's recogniser; the text outside the tables is found by RapidOCR either way.
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "corpus" / "generated"
KINDS = ([(150, "clean"), (200, "clean"), (300, "clean")]
         + [(200, k) for k in ("skew", "blur", "jpeg", "paper", "seal", "photo", "docx")])


def _tesseract():
    import tesserocr
    from PIL import Image

    api = tesserocr.PyTessBaseAPI(path="/usr/share/tesseract-ocr/5/tessdata", lang="chi_sim",
                                  psm=tesserocr.PSM.SINGLE_LINE)

    def recognise(crop):
        api.SetImage(Image.fromarray(crop))
        return api.GetUTF8Text().strip().replace(" ", ""), api.MeanTextConf() / 100

    return recognise


def one(job: tuple[str, int, str, str, int]) -> dict:
    name, dpi, noise, engine, seed = job
    from corpus.scans import draw_style, page_images, to_docx, to_pdf
    from ingestion.parser import for_parsing
    from ingestion.parser.document import RejectedDocument
    from ingestion.parser.parse import parse_file
    from ingestion.parser.readers import scan

    for_parsing()
    if engine == "tesseract" and not getattr(scan, "_bench_engine", None):
        scan._recognise = scan._bench_engine = _tesseract()
    gold = json.loads((FIXTURES / "gold" / f"{name}.json").read_text(encoding="utf-8"))
    rng = random.Random(f"{seed}-{name}-{dpi}-{noise}")
    style = draw_style(rng, dpi, "skew" if noise == "docx" else noise)  # docx: page pictures pasted into Word
    images = page_images((FIXTURES / "docs" / f"{name}.pdf").read_bytes(), style, rng)
    path = Path("/tmp") / f"bench_scan_{name}_{dpi}_{noise}.{'docx' if noise == 'docx' else 'pdf'}"
    path.write_bytes(to_docx(images) if noise == "docx" else to_pdf(images))
    t = time.process_time()
    try:
        out = parse_file(path)
    except RejectedDocument as exc:
        out = {"cells": {}, "agency": None, "year": None, "rejected": str(exc)}
    seconds = time.process_time() - t
    path.unlink()
    truth = gold["cells"]
    cells = out["cells"]
    return {"name": name, "dpi": dpi, "noise": noise, "pages": len(images), "seconds": seconds,
            "cells": len(truth), "equal": sum(cells.get(f) == v for f, v in truth.items()),
            "nonzero": sum(1 for v in truth.values() if v), "nonzero_right": sum(1 for f, v in truth.items() if v and cells.get(f) == v),
            "read": sum(1 for f in truth if cells.get(f) is not None),
            "wrong": sum(1 for f, v in truth.items() if cells.get(f) is not None and cells[f] != v),
            "agency": out.get("agency") == gold["agency"], "year": out.get("year") == gold["year"],
            "rejected": out.get("rejected")}


def table(results: list[dict]) -> str:
    lines = ["| scan | docs | pages | strict | non-zero right | wrong non-null | read | agency | year | s / page (1 core) |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for dpi, noise in KINDS + [(0, "all")]:
        rs = [r for r in results if (r["dpi"], r["noise"]) == (dpi, noise) or noise == "all"]
        if not rs:
            continue
        pages = sum(r["pages"] for r in rs)
        read = sum(r["read"] for r in rs)
        lines.append(
            f"| {'**all**' if noise == 'all' else f'{dpi} dpi, {noise}'} | {len(rs)} | {pages} | "
            f"{sum(r['equal'] for r in rs) / sum(r['cells'] for r in rs):.4f} | "
            f"{sum(r['nonzero_right'] for r in rs) / max(1, sum(r['nonzero'] for r in rs)):.4f} | "
            f"{sum(r['wrong'] for r in rs)} of {read} ({sum(r['wrong'] for r in rs) / max(1, read):.2%}) | "
            f"{read / sum(r['cells'] for r in rs):.3f} | {statistics.mean(r['agency'] for r in rs):.3f} | "
            f"{statistics.mean(r['year'] for r in rs):.3f} | "
            f"{statistics.median(r['seconds'] / r['pages'] for r in rs):.2f} |")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=8)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--engine", choices=("rapidocr", "tesseract"), default="rapidocr")
    ap.add_argument("--seed", type=int, default=26)
    ap.add_argument("--kinds", nargs="*", help="dpi:noise, e.g. 200:seal (default: all)")
    a = ap.parse_args()
    names = sorted(p.stem for p in (FIXTURES / "docs").glob("*.pdf") if "_bad_" not in p.name)[: a.docs]
    kinds = [tuple(int(x) if x.isdigit() else x for x in k.split(":")) for k in a.kinds] if a.kinds else KINDS
    jobs = [(n, dpi, noise, a.engine, a.seed) for n in names for dpi, noise in kinds]
    results = []
    with ProcessPoolExecutor(a.jobs) as pool:
        for i, r in enumerate(pool.map(one, jobs), start=1):
            results.append(r)
            print(f"[{i}/{len(jobs)}] {r['name']} {r['dpi']} dpi {r['noise']}: {r['wrong']} wrong, "
                  f"{r['read']}/{r['cells']} read, {r['seconds'] / r['pages']:.2f} s/page"
                  + (f" REJECTED {r['rejected']}" if r["rejected"] else ""), flush=True)
    print(f"\nengine: {a.engine}, {len(names)} reports, {len(jobs)} scans\n")
    print(table(results))
    out = ROOT / "benchmarks" / "out"
    out.mkdir(exist_ok=True)
    (out / f"scan_{a.engine}.json").write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
