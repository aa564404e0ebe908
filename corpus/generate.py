"""Write a fixed-seed corpus of reports with gold files (the form of ../shared/gold).

    python -m corpus.generate --out corpus_out --n 200 --seed 7

Writes OUT/docs/<id>.txt and OUT/gold/<id>.json; score it with
    python3 ../shared/tools/score.py --cmd '.venv/bin/govinfo parse {file}' --docs OUT/docs --gold OUT/gold
"""
from __future__ import annotations

import argparse
import json
import random
from dataclasses import dataclass
from pathlib import Path

from ingestion import SCHEMA
from ingestion.spec import APPLICANT_COLS, APPLICANT_TYPES, outcome_rows

from .render import QUIRKS, SHAPES, Style, render
from .truth import Report, fold_other_processing, inject, series

RULES = ("balance", "outcome_sum", "row_total", "review_total")


@dataclass
class Case:
    id: str
    filename: str
    content: bytes
    gold: dict


def apply_quirks(report: Report, style: Style, rng: random.Random) -> None:
    """Quirks that change what the document prints change the truth the same way."""
    c = report.cells
    rows = {k.split(".")[1] for k in c if k.startswith("applications.")}
    if style.has("fold_other"):
        fold_other_processing(c)
    if style.has("no_other_column"):
        for row in rows:
            k = f"applications.{row}.other_org"
            if c[k] is not None:
                c[f"applications.{row}.natural_person"] += c[k]
            c[k] = None
    if style.has("blank_applicants"):
        for row in rows:
            for t in APPLICANT_TYPES:
                c[f"applications.{row}.{t}"] = None
    if style.has("blank_outcomes") and not any(c[f"applications.{r}.total"] for r in outcome_rows()):
        for r in outcome_rows():
            for col in APPLICANT_COLS:
                c[f"applications.{r}.{col}"] = None
    if style.has("fees_decimal"):
        c["active.admin_fees.amount_10k_yuan"] = round(rng.uniform(0.01, 99), 2)


def _style(rng: random.Random) -> Style:
    quirks = {q for q in QUIRKS if rng.random() < 0.2}
    return Style(shape=rng.choice(SHAPES), quirks=quirks)


def _gold(case_id: str, report: Report, style: Style) -> dict:
    return {"schema": SCHEMA, "agency": report.agency, "year": report.year, "format": "txt",
            "cells": report.cells, "expected_violations": report.expected_violations,
            "injected": report.injected,
            "notes": f"generated; shape={style.shape}; quirks={','.join(sorted(style.quirks)) or 'none'}"}


BAD_INPUTS = [
    ("empty", b"", "empty file"),
    ("binary", bytes(range(256)) * 8, "binary data"),
    ("notice", "关于做好2023年政务公开工作的通知\n各单位：\n现将有关事项通知如下。\n".encode(), "not an annual report"),
    ("no_table", "某市教育局2023年政府信息公开工作年度报告\n一、总体情况\n本年度工作平稳。\n".encode(),
     "report without its section 三 table"),
    ("undecodable", b"\xff\xfe\xfa" + bytes([0x81, 0x20]) * 400, "undecodable text"),
]


def build_corpus(n: int, seed: int, bad: bool = True) -> list[Case]:
    rng = random.Random(seed)
    cases: list[Case] = []
    while len(cases) < n:
        years = sorted(rng.sample(range(2021, 2026), rng.choice([1, 1, 2, 3])))
        years = list(range(years[0], years[0] + len(years)))
        broken = years[-1] if len(years) > 1 and rng.random() < 0.3 else None
        for report in series(rng, years, break_carryover_at=broken):
            if rng.random() < 0.12:
                inject(rng, report, rng.choice(RULES))
            style = _style(rng)
            apply_quirks(report, style, rng)
            case_id = f"gen{seed}_{len(cases):04d}"
            text = render(report, style, rng)
            cases.append(Case(case_id, case_id + ".txt", text.encode("utf-8"), _gold(case_id, report, style)))
    cases = cases[:n]
    if bad:
        for name, data, why in BAD_INPUTS:
            case_id = f"gen{seed}_bad_{name}"
            cases.append(Case(case_id, case_id + ".txt", data, {"expect_error": True, "why": why, "format": "txt"}))
    return cases


def write_corpus(cases: list[Case], out: Path) -> None:
    docs, gold = Path(out) / "docs", Path(out) / "gold"
    docs.mkdir(parents=True, exist_ok=True)
    gold.mkdir(parents=True, exist_ok=True)
    for c in cases:
        (docs / c.filename).write_bytes(c.content)
        (gold / f"{c.id}.json").write_text(json.dumps(c.gold, ensure_ascii=False, indent=1), encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--no-bad", action="store_true", help="leave out the bad inputs")
    args = ap.parse_args()
    cases = build_corpus(args.n, args.seed, bad=not args.no_bad)
    write_corpus(cases, args.out)
    print(f"wrote {len(cases)} documents to {args.out}/docs and gold to {args.out}/gold")


if __name__ == "__main__":
    main()
