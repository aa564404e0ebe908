"""Agency keys (issue 12): how many agencies get a division code, false merges, and speed.

    .venv/bin/python benchmarks/bench_agencies.py [--real /work/real]

- generated corpus (benchmarks/out/corpus_n400_seed21, made by bench_parse.py when missing)
  and the planted corpus (seed 5: agencies printing aliases across years): every document
  parsed, its agency resolved from the printed name and the body; a false merge is one key
  holding two of the generator's agencies, a split is one agency under two keys;
- the seeds (../shared/seeds) and, with --real, the real reports found with the search tool;
- the time to resolve 10,000 names (median of 5 rounds) and to load the division table.
"""
from __future__ import annotations

import argparse
import json
import statistics
import time
from collections import defaultdict
from pathlib import Path

from corpus.planted import build_planted
from ingestion.resolve.agencies import resolve
from ingestion.resolve.divisions import DATA_VERSION, gazetteer
from ingestion.parser.document import RejectedDocument
from ingestion.parser.parse import parse_file

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "benchmarks" / "out" / "corpus_n400_seed21"


def _parse_all(files: list[Path]) -> list[dict]:
    out = []
    for i, path in enumerate(files, 1):
        try:
            out.append(parse_file(path) | {"_file": path})
        except RejectedDocument:
            pass
        if i % 100 == 0:
            print(f"  parsed {i}/{len(files)}", flush=True)
    return out


def _score(label: str, results: list[dict], truth: dict[Path, str] | None) -> dict:
    """Resolution share per document and per agency; false merges and splits against `truth`
    (file → the generator's agency)."""
    keys: dict[str, set[str]] = defaultdict(set)
    of_agency: dict[str, set[str]] = defaultdict(set)
    status = defaultdict(int)
    for r in results:
        res = r["agency_resolution"]
        status[res["status"]] += 1
        if truth is not None and res["agency_key"]:
            keys[res["agency_key"]].add(truth[r["_file"]])
            of_agency[truth[r["_file"]]].add(res["agency_key"])
    resolved = sum(n for s, n in status.items() if s != "unresolved")
    row = {"set": label, "documents": len(results), "resolved": resolved,
           "share": round(resolved / max(len(results), 1), 4), "by_status": dict(status)}
    if truth is not None:
        row["false_merges"] = sum(1 for agencies in keys.values() if len(agencies) > 1)
        row["splits"] = sum(1 for k in of_agency.values() if len(k) > 1)
        row["agencies"] = len(set(truth[r["_file"]] for r in results))
    print(f"{label}: {row}", flush=True)
    return row


def generated() -> dict:
    docs = CORPUS / "docs"
    if not docs.exists():
        raise SystemExit(f"{CORPUS} is missing: run benchmarks/bench_parse.py first (it generates it)")
    files = sorted(docs.iterdir())
    truth = {}
    for f in files:
        gold = CORPUS / "gold" / (f.stem + ".json")
        agency = json.loads(gold.read_text(encoding="utf-8")).get("agency") if gold.exists() else None
        if agency:  # (a bad input has none)
            truth[f] = agency
    results = [r for r in _parse_all([f for f in files if f in truth])]
    return _score("generated n400 seed 21", results, truth)


def planted(tmp: Path) -> dict:
    corpus = build_planted(seed=5, agencies=12, per_rule=2, pdfs=2)
    corpus.write(tmp)
    canonical = {name: agency for agency, names in corpus.names.items() for name in names}
    results = _parse_all(sorted(p for p in tmp.rglob("*") if p.is_file()))
    truth = {r["_file"]: canonical.get(r["agency"], r["agency"]) for r in results}
    return _score("planted seed 5 (aliases)", results, truth)


def named(label: str, folder: Path) -> dict:
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in (".txt", ".pdf", ".html", ".md"))
    results = _parse_all(files)
    for r in results:
        res = r["agency_resolution"]
        print(f"    {r['_file'].name}: {r['agency']} {r['year']} → {res['agency_key']} ({res['status']}: "
              f"{res['evidence']})")
    return _score(label, results, None)


def speed(names: list[str]) -> dict:
    start = time.perf_counter()
    gazetteer.cache_clear()
    gazetteer()
    load = time.perf_counter() - start
    batch = (names * (10_000 // len(names) + 1))[:10_000]
    rounds = []
    for _ in range(5):
        start = time.perf_counter()
        for i, name in enumerate(batch):
            resolve(name + " " * (i % 2), "", 2023)
        rounds.append(time.perf_counter() - start)
    row = {"table_load_s": round(load, 3), "names": len(batch), "median_s": round(statistics.median(rounds), 3),
           "rounds_s": [round(r, 3) for r in rounds]}
    print(f"speed: {row}", flush=True)
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--real", type=Path, help="a folder of real reports (optional)")
    ap.add_argument("--tmp", type=Path, default=ROOT / "benchmarks" / "out" / "planted_seed5")
    args = ap.parse_args()
    print(f"division table: {DATA_VERSION}")
    rows = [generated(), planted(args.tmp), named("seeds", ROOT.parent / "shared" / "seeds")]
    if args.real:
        rows.append(named("real reports", args.real))
    fixture = ROOT / "tests" / "fixtures" / "agency_names.csv"
    names = [line.split(",")[0] for line in fixture.read_text(encoding="utf-8").splitlines()[1:]]
    names += [a for p in sorted((CORPUS / "gold").glob("*.json"))
              if (a := json.loads(p.read_text(encoding="utf-8")).get("agency"))]
    rows.append(speed(names))
    out = ROOT / "benchmarks" / "out" / "agencies.json"
    out.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"done: {len(rows)} result rows in {out}")


if __name__ == "__main__":
    main()
