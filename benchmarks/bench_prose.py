"""Prose against tables (issue 14): are planted contradictions found, and nothing else?

    .venv/bin/python benchmarks/bench_prose.py [--n 400] [--seed 31] [--real /work/real]

- a generated corpus in every format (PDF and DOC by LibreOffice, `pdftotext -layout`,
  crawled HTML), one report in ten with a planted contradiction (corpus.prose.plant), every
  report stating a random handful of its numbers in several wordings beside sentences that
  must not be compared: recall and precision on the planted set, counted on the agency's
  findings (cells read with certainty); disagreements on a cell read with doubt are the
  extraction's, counted apart; statements skipped, by reason;
- the seeds and, with --real, real reports: every statement compared, with the table's
  value, to check by eye.
"""
from __future__ import annotations

import argparse
import json
import tempfile
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from corpus.generate import build_corpus
from ingestion.parser.document import RejectedDocument
from ingestion.parser.parse import parse_file

ROOT = Path(__file__).resolve().parents[1]


def _parse(path: Path) -> dict | None:
    try:
        return parse_file(path)
    except RejectedDocument:
        return None


def generated(n: int, seed: int) -> dict:
    cases = build_corpus(n, seed, bad=False)
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for c in cases:
            (Path(tmp) / c.filename).write_bytes(c.content)
            files.append(Path(tmp) / c.filename)
        with ProcessPoolExecutor(2) as pool:
            results = list(pool.map(_parse, files, chunksize=8))
    score = Counter()
    reasons: Counter = Counter()
    by_format: dict[str, Counter] = {}
    misses, false = [], []
    for case, r in zip(cases, results):
        planted = set(case.gold.get("prose_planted", {}))
        score["planted"] += len(planted)
        if r is None:
            score["missed_rejected"] += len(planted)
            continue
        fmt = by_format.setdefault(case.gold["notes"].split("source=")[1].split(";")[0], Counter())
        differ = [s for s in r["prose"]["compared"] if not s["agrees"]]
        found = {s["key"] for s in differ if not s["uncertain"]}
        doubtful = {s["key"] for s in differ if s["uncertain"]}
        score["found"] += len(found & planted)
        score["false"] += len(found - planted)
        score["missed"] += len(planted - found - doubtful)
        score["planted_on_doubtful_cells"] += len(planted & doubtful)
        score["extraction_findings"] += len(doubtful - planted)
        score["compared"] += len(r["prose"]["compared"])
        score["skipped"] += len(r["prose"]["skipped"])
        fmt.update(planted=len(planted), found=len(found & planted), false=len(found - planted))
        reasons.update(s["skipped"].split(":")[0] for s in r["prose"]["skipped"])
        misses += [(case.id, k) for k in planted - found - doubtful]
        false += [(case.id, s["key"], s["value"], s["table"], s["sentence"]) for s in differ
                  if s["key"] in found - planted]
    row = {"set": f"generated n{n} seed {seed}", "documents": len(cases), **score,
           "recall": round(score["found"] / max(score["planted"], 1), 4),
           "precision": round(score["found"] / max(score["found"] + score["false"], 1), 4),
           "skipped_by_reason": dict(reasons.most_common()), "by_format": {k: dict(v) for k, v in by_format.items()},
           "missed_cases": misses[:20], "false_cases": false[:20]}
    print(json.dumps(row, ensure_ascii=False, indent=1), flush=True)
    return row


def listed(label: str, folder: Path) -> dict:
    """Every statement of every report in the folder, compared or skipped, for the eye."""
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in (".txt", ".pdf", ".html", ".docx"))
    out = []
    for path in files:
        r = _parse(path)
        if r is None:
            continue
        for s in r["prose"]["compared"]:
            out.append({"file": path.name, "agency": r["agency"], "year": r["year"], "key": s["key"],
                        "text": s["value"], "table": s["table"], "agrees": s["agrees"], "uncertain": s["uncertain"],
                        "page": s["page"], "line": s["line"], "sentence": s["sentence"]})
        for s in r["prose"]["skipped"]:
            out.append({"file": path.name, "key": s["key"], "text": s["value"], "skipped": s["skipped"],
                        "sentence": s["sentence"][:80]})
    print(f"{label}:")
    for row in out:
        print("  " + json.dumps(row, ensure_ascii=False), flush=True)
    return {"set": label, "statements": out}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=400)
    ap.add_argument("--seed", type=int, default=31)
    ap.add_argument("--real", type=Path, help="a folder of real reports (optional)")
    args = ap.parse_args()
    rows = [generated(args.n, args.seed), listed("seeds", ROOT.parent / "shared" / "seeds")]
    if args.real:
        rows.append(listed("real", args.real))
    out = ROOT / "benchmarks" / "out" / "prose.json"
    out.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
