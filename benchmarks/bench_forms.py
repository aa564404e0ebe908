"""Parser accuracy in every form a report reaches us in: the generated corpus's own forms,
the forms the real converters make of it (corpus.convert), copies cut short, reading-order
text disturbed at random (corpus.reading_order), and real reports put through the same
converters.

    .venv/bin/python benchmarks/bench_forms.py [--n 100] [--seed 41] [--hostile 1000] [--real DIR] [--out benchmarks/out]

Per form: documents, rejected, exact (every cell the truth, agency and year right), exact
among reports that print every cell (no blank cells: the 0.95/0.99 targets of issue 20),
wrong numbers (must be 0), silent nulls (a null not called uncertain; must be 0), false
exact (a document called exact or verified that is not; must be 0), and the cells left null
and uncertain that a person could read from the page (the truth prints a number there).
Real reports have no gold: each converter form of a real PDF is scored against the PDF's own
parse where that is exact, and every real file is checked for the within-report rules.
Parses run in-process in two worker processes; results go to OUT/forms.json.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

BLANK_QUIRKS = {"blank_applicants", "blank_outcomes"}


def _build(out: Path, n: int, seed: int) -> Path:
    """The forms corpus (cached by n and seed): the standard corpus's forms and the
    converters' forms of a corpus of its own."""
    from corpus.convert import build_forms
    from corpus.generate import build_corpus, write_corpus

    target = out / f"forms_n{n}_seed{seed}"
    if not (target / "gold").exists():
        t0 = time.perf_counter()
        write_corpus(build_corpus(n, seed, bad=False) + build_forms(n, seed + 1), target)
        print(f"built the forms corpus in {time.perf_counter() - t0:.0f} s: {target}", flush=True)
    return target


def _parse(path: str) -> dict:
    from ingestion.parser.document import RejectedDocument
    from ingestion.parser.parse import parse_file

    try:
        out = parse_file(path)
        return {"cells": out["cells"], "agency": out["agency"], "year": out["year"], "template": out["template"],
                "extraction": {k: out["extraction"][k] for k in ("status", "uncertain_cells", "uncertain")}}
    except RejectedDocument as exc:
        return {"error": str(exc)}


def _score(cases: list[tuple[str, dict, dict]]) -> dict:
    """(form, gold, result) triples → per-form figures."""
    from corpus.truth import broken_promises

    table: dict[str, Counter] = defaultdict(Counter)
    for form, gold, result in cases:
        t = table[form]
        t["docs"] += 1
        if "error" in result:
            t["rejected"] += 1
            continue
        truth = gold["cells"]
        broken = broken_promises(truth, result)
        missed = [f for f, v in truth.items() if result["cells"].get(f) != v]
        right = not missed and (result["agency"], result["year"]) == (gold["agency"], gold["year"])
        full = not (BLANK_QUIRKS & set(gold["notes"].split("quirks=")[1].split(",")))
        t["exact"] += right
        t["full"] += full
        t["full_exact"] += full and right
        t["wrong"] += sum(1 for b in broken if b.startswith("wrong"))
        t["silent"] += sum(1 for b in broken if b.startswith("silent"))
        t["false_exact"] += any(b.startswith("called") for b in broken)
        t["readable_null"] += sum(1 for f in missed if result["cells"].get(f) is None and truth[f] is not None)
        t["agency_year"] += (result["agency"], result["year"]) == (gold["agency"], gold["year"])
        t["status_" + result["extraction"]["status"]] += 1
    return {form: dict(c) for form, c in sorted(table.items())}


def _run(paths: list[str]) -> list[dict]:
    with ProcessPoolExecutor(2) as pool:
        return list(pool.map(_parse, paths, chunksize=8))


def corpus_forms(target: Path) -> dict:
    golds = sorted((target / "gold").glob("*.json"))
    docs = {p.stem: p for p in (target / "docs").iterdir()}
    gold = [json.loads(g.read_text(encoding="utf-8")) for g in golds]
    results = _run([str(docs[g.stem]) for g in golds])
    return _score([(g["format"], g, r) for g, r in zip(gold, results)])


def hostile(n: int, seed: int, work: Path) -> dict:
    """Reading-order text disturbed at random, every kind alone and together."""
    from corpus.generate import _style, apply_quirks
    from corpus.reading_order import KINDS, reading_order_text
    from corpus.truth import series

    rng = random.Random(seed)
    work.mkdir(parents=True, exist_ok=True)
    cases = []
    for i in range(n):
        year = rng.randint(2021, 2025)
        report = series(rng, [year], templates={year: "2021"})[0]
        style = _style(rng, "docx", report)
        apply_quirks(report, style, rng)
        kinds = {k for k in KINDS if rng.random() < 0.35}
        path = work / f"ro{i}.txt"
        path.write_text(reading_order_text(report, style, rng, kinds), encoding="utf-8")
        gold = {"cells": report.cells, "agency": report.agency, "year": report.year,
                "notes": f"quirks={','.join(sorted(style.quirks)) or 'none'}"}
        cases.append((("reading order: " + "+".join(sorted(kinds))) if len(kinds) <= 1 else "reading order: several",
                      gold, str(path)))
    results = _run([p for _, _, p in cases])
    return _score([(form, gold, r) for (form, gold, _), r in zip(cases, results)])


def real_forms(real: Path, work: Path) -> dict:
    """Every real PDF in every converter form, scored against the PDF's own parse (when
    that is exact); and the label-free check of every real file."""
    from corpus import convert
    from corpus.writers import pdftotext_layout

    work.mkdir(parents=True, exist_ok=True)
    makers = dict(convert._ONE_BY_ONE) | {"layout": (pdftotext_layout, "txt")}
    cases, files = [], sorted(p for p in real.rglob("*") if p.is_file() and p.suffix.lower() in (".pdf", ".txt", ".md",
                                                                                                  ".html", ".docx"))
    own = dict(zip(map(str, files), _run([str(p) for p in files])))
    consistent = {}
    for path, result in own.items():
        consistent[Path(path).name] = ("rejected: " + result["error"]) if "error" in result else result["extraction"]["status"]
    for pdf in (p for p in files if p.suffix.lower() == ".pdf"):
        ref = own[str(pdf)]
        if "error" in ref or ref["extraction"]["status"] != "exact":
            continue
        for form, (make, ext) in makers.items():
            path = work / f"{pdf.stem}_{form}.{ext}"
            path.write_bytes(make(pdf.read_bytes()))
            cases.append((form, {"cells": ref["cells"], "agency": ref["agency"], "year": ref["year"],
                                 "notes": "quirks=none"}, str(path)))
    results = _run([p for _, _, p in cases])
    return {"forms": _score([(form, gold, r) for (form, gold, _), r in zip(cases, results)]), "files": consistent}


def _markdown(table: dict) -> str:
    head = ("| form | docs | rejected | exact | exact, every cell printed | wrong | silent null | false exact "
            "| readable null | agency+year |")
    lines = [head, "|" + " --- |" * 10]
    for form, t in table.items():
        docs = t.get("docs", 0)
        read = docs - t.get("rejected", 0)
        full = t.get("full", 0)
        lines.append(f"| {form} | {docs} | {t.get('rejected', 0)} | {t.get('exact', 0) / max(read, 1):.3f} | "
                     f"{t.get('full_exact', 0) / full if full else float('nan'):.3f} ({full}) | {t.get('wrong', 0)} | "
                     f"{t.get('silent', 0)} | {t.get('false_exact', 0)} | {t.get('readable_null', 0)} | "
                     f"{t.get('agency_year', 0) / max(read, 1):.3f} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--seed", type=int, default=41)
    ap.add_argument("--hostile", type=int, default=1000, help="reading-order documents disturbed at random")
    ap.add_argument("--real", type=Path, help="a folder of real reports (no gold)")
    ap.add_argument("--out", type=Path, default=REPO / "benchmarks" / "out")
    args = ap.parse_args()
    os.environ.setdefault("PYTHONPATH", str(REPO))
    args.out.mkdir(parents=True, exist_ok=True)
    results = {"corpus": _score([])}
    t0 = time.perf_counter()
    results["corpus"] = corpus_forms(_build(args.out, args.n, args.seed))
    print(_markdown(results["corpus"]), flush=True)
    results["hostile"] = hostile(args.hostile, args.seed, args.out / "hostile")
    print(_markdown(results["hostile"]), flush=True)
    if args.real:
        results["real"] = real_forms(args.real, args.out / "real_forms")
        print(_markdown(results["real"]["forms"]))
        print(json.dumps(results["real"]["files"], ensure_ascii=False, indent=1))
    results["seconds"] = round(time.perf_counter() - t0)
    (args.out / "forms.json").write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
