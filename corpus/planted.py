"""A landing folder with planted findings, and the list of findings the warehouse must report.

This is the truth the warehouse's rules are measured against (tests/pipeline and
benchmarks/bench_detection.py): several agencies over several years, each printing its
name in different ways (人民政府/政府, a leading province, a space or U+3000), in every
format, with every rule broken on purpose a known number of times and nowhere else:

- within a report: balance, outcome_sum, row_total, review_total (`truth.inject`);
- across years: carryover and in_force_chain (the next year carries the printed number on);
- year gaps (a year not published: reported as a gap, and the chain across it not checked),
  order-of-magnitude jumps in new requests, all-zero reports, years out of range;
- re-publication: the same bytes under two names, one report as two formats, and a
  corrected version beside the broken one it replaces (the marts must pick the correction);
- bad files, each a rejected document.

Every other number obeys the format's rules, and request volumes vary by less than a factor
of two year on year, so anything else the warehouse reports is a false finding.

    python -m corpus.planted --out DIR --agencies 12 --seed 5
"""
from __future__ import annotations

import argparse
import copy
import json
import random
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ingestion.resolve.divisions import province_of
from ingestion.parser.prose import PROSE_RULE
from ingestion.parser.rules import RULES

from .prose import plant
from .render import SHAPES, Style, render
from .truth import AGENCY_KINDS, Report, cities, break_carryover, break_in_force, inject, series

CROSS_YEAR_RULES = ("carryover", "in_force_chain")
# every rule data_quality_issues reports, in the order the detection table prints them
PLANTED_RULES = (*RULES, PROSE_RULE, *CROSS_YEAR_RULES, "magnitude_jump", "year_gap", "all_zero", "year_out_of_range",
                 "rejected_document", "parse_warning")
BAD_FILES = ("empty", "binary", "notice", "no_table", "undecodable", "image_only", "zip_bomb", "truncated_zip",
             "corrupt_pdf")
FUTURE_YEAR = date.today().year + 4
JUMP_FACTOR = 25  # sizes vary by at most 1.3/0.75 a year, so a 25-fold step stays above 10-fold


@dataclass(frozen=True, order=True)
class Finding:
    """One finding the warehouse must report: agency is the generator's canonical name (None
    for a rejected file, whose subject is then the file name)."""
    rule: str
    agency: str | None
    year: int | None
    subject: str


@dataclass
class PlantedCorpus:
    files: dict[str, bytes] = field(default_factory=dict)  # landing-folder path → bytes
    expected: set[Finding] = field(default_factory=set)
    planted: Counter = field(default_factory=Counter)  # rule → breaks planted on purpose
    names: dict[str, set[str]] = field(default_factory=dict)  # agency → every name it printed
    chosen_file: dict[tuple[str, int], str] = field(default_factory=dict)  # corrected agency-years → the file the marts must use
    reports: int = 0

    def write(self, folder: Path) -> None:
        for name, data in self.files.items():
            path = Path(folder) / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)


def _aliases(name: str, place: str) -> list[str]:
    """The ways an agency prints its name across years (the canonical one first)."""
    rest = name[len(place):]
    out = [name, f"{place} {rest}", f"{place}\u3000{rest}"]
    if "人民政府" in name:
        out.append(name.replace("人民政府", "政府"))
    province = province_of().get(place)
    if province and province != place:
        out.append(province + name)
    return out


def _sizes(rng: random.Random, years: list[int]) -> dict[int, int]:
    base = rng.choice([4, 6, 10, 18, 30, 50, 90])
    return {y: max(1, round(base * rng.uniform(0.75, 1.3))) for y in years}


def _all_zero(report: Report) -> None:
    for k in report.cells:
        report.cells[k] = 0


def build_planted(seed: int = 5, agencies: int = 12, per_rule: int = 2, pdfs: int = 2, bad: bool = True,
                  first_year: int = 2020, last_year: int = 2024) -> PlantedCorpus:
    """Generate the corpus; `pdfs` reports are also rendered to PDF by LibreOffice."""
    rng = random.Random(seed)
    out = PlantedCorpus()
    pairs = rng.sample([(p, k) for p in cities() for k in AGENCY_KINDS], agencies + 2 * per_rule + 2)
    plans = _plans(rng, pairs[:agencies], per_rule, first_year, last_year)
    reports = _series_reports(rng, plans, out, seed)
    reports += _single_reports(rng, pairs[agencies:], out, per_rule, first_year, last_year)
    _files(rng, reports, out, seed, pdfs)
    if bad:
        _add_bad_files(out, seed)
    return out


def _plans(rng: random.Random, series_pairs, per_rule: int, first_year: int, last_year: int) -> list[dict]:
    """Who publishes which years (a gap in some), and the events planted on which report."""
    plans = []
    for place, kind in series_pairs:
        n = rng.choice([2, 3, 4, 5])
        start = rng.randint(first_year, last_year - n + 1)
        years = list(range(start, start + n))
        dropped = years[rng.randint(1, n - 2)] if n >= 3 and rng.random() < 0.35 else None
        plans.append({"agency": (place + kind, place, kind), "years": years, "dropped": dropped, "events": {}})
    present = [(i, y) for i, p in enumerate(plans) for y in p["years"] if y != p["dropped"]]
    with_previous = [(i, y) for i, y in present if y - 1 in plans[i]["years"] and y - 1 != plans[i]["dropped"]]
    free = set(present)
    for rule in (*CROSS_YEAR_RULES, "magnitude_jump", *RULES, PROSE_RULE):
        pool = with_previous if rule in (*CROSS_YEAR_RULES, "magnitude_jump") else present
        choices = [s for s in pool if s in free]
        rng.shuffle(choices)
        if len(choices) < per_rule:
            raise ValueError(f"too few reports to plant {rule} {per_rule} times: add agencies")
        for slot in sorted(choices[:per_rule]):
            plans[slot[0]]["events"][slot[1]] = rule
            free.discard(slot)
    return plans


def _tampering(rng: random.Random, plan: dict, sizes: dict, out: PlantedCorpus, seed: int) -> dict:
    """Each planted event of one agency's series as what it does to the report of its year
    (or, for a jump, to the sizes of that year and after)."""
    name = plan["agency"][0]
    tamper = {}
    for year, rule in plan["events"].items():
        if rule == "magnitude_jump":
            for y in sizes:
                sizes[y] *= JUMP_FACTOR if y >= year else 1
            out.expected.add(Finding(rule, name, year, "new_received"))
        elif rule == "carryover":
            tamper[year] = break_carryover
        elif rule == "in_force_chain":
            tamper[year] = break_in_force
        elif rule == PROSE_RULE:
            tamper[year] = lambda r: r.injected_checks.append(
                (PROSE_RULE, plant(r, random.Random(f"plant:{seed}:{r.agency}:{r.year}"))))
        else:
            tamper[year] = lambda r, rule=rule: inject(rng, r, rule)
        out.planted[rule] += 1
    return tamper


def _series_reports(rng: random.Random, plans: list[dict], out: PlantedCorpus, seed: int) -> list:
    """The reports, year by year, each break applied before the next year is drawn: (report,
    the names it may print)."""
    reports = []
    for plan in plans:
        name, place, _ = plan["agency"]
        sizes = _sizes(rng, plan["years"])
        tamper = _tampering(rng, plan, sizes, out, seed)
        names = _aliases(name, place)
        out.names[name] = set()
        for report in series(rng, plan["years"], agency=plan["agency"], sizes=sizes, tamper=tamper):
            if report.year == plan["dropped"]:
                out.expected.add(Finding("year_gap", name, report.year + 1, "years"))
                out.planted["year_gap"] += 1
                continue
            report.agency = names[0] if report.year == plan["years"][0] else rng.choice(names)
            reports.append((report, names))
    return reports


def _single_reports(rng: random.Random, single_pairs, out: PlantedCorpus, per_rule: int, first_year: int,
                    last_year: int) -> list:
    """Agencies with one report: all zeros, or a year outside the range."""
    reports = []
    for place, kind in single_pairs[:per_rule]:
        report = series(rng, [rng.randint(first_year, last_year)], agency=(place + kind, place, kind))[0]
        _all_zero(report)
        out.expected.add(Finding("all_zero", report.agency, report.year, "report"))
        out.planted["all_zero"] += 1
        reports.append((report, [report.agency]))
    for (place, kind), year in zip(single_pairs[per_rule:], (FUTURE_YEAR, first_year - 15)):
        report = series(rng, [year], agency=(place + kind, place, kind))[0]
        out.expected.add(Finding("year_out_of_range", report.agency, year, "year"))
        out.planted["year_out_of_range"] += 1
        reports.append((report, [report.agency]))
    return reports


def _files(rng: random.Random, reports: list, out: PlantedCorpus, seed: int, pdfs: int) -> None:
    """The files: formats, mirrored copies, corrected re-publications, and the truth they imply."""
    canonical = {id(r): names[0] for r, names in reports}
    n_repub = max(2, len(reports) // 10)
    picked = rng.sample(range(len(reports)), 2 * n_repub + pdfs)
    mirrored, corrected, as_pdf = set(picked[:n_repub]), set(picked[n_repub:2 * n_repub]), set(picked[2 * n_repub:])
    docx_for_pdf: list[str] = []
    for n, (report, _) in enumerate(reports):
        agency = canonical[id(report)]
        out.names.setdefault(agency, set()).add(report.agency)
        stem = f"p{seed}_{n:03d}"
        if n in as_pdf:  # one report as a DOCX and as the PDF made from it
            files = {f"{stem}.docx": _docx(report, rng)}
            docx_for_pdf.append(f"{stem}.docx")
        else:
            files = _render(report, stem, rng)
        if n in mirrored:  # the same bytes again, under another name (a mirror site)
            name, data = next(iter(files.items()))
            files[f"mirror/{name}"] = data
        if n in corrected:  # a corrected re-publication beside the broken first version
            files |= _broken_first(rng, report, stem)
            out.chosen_file[(agency, report.year)] = next(iter(files))
        out.files |= files
        out.expected |= {Finding(rule, agency, report.year, subject) for rule, subject in report.injected_checks}
        out.reports += 1
    if docx_for_pdf:
        out.files |= _pdfs(docx_for_pdf, out.files)


def _broken_first(rng: random.Random, report: Report, stem: str) -> dict[str, bytes]:
    """The first version of a report later corrected: the same report with another rule broken."""
    first = copy.deepcopy(report)
    first.injected_checks = []
    inject(rng, first, rng.choice([r for r in RULES if r not in report.injected]))
    return {k.replace(stem, stem + "_v1"): v for k, v in _render(first, stem, rng).items()}


def _docx(report: Report, rng: random.Random) -> bytes:
    from .writers import to_docx

    return to_docx(report, Style(rng.choice(SHAPES), {"prose_numbers"}), rng)


def _render(report: Report, stem: str, rng: random.Random) -> dict[str, bytes]:
    """One report as one file: text (any shape), DOCX or HTML (UTF-8 or GBK)."""
    from .writers import to_html

    fmt = rng.choices(["txt", "docx", "html"], weights=[0.45, 0.25, 0.3])[0]
    style = Style(rng.choice(SHAPES), {"prose_numbers"})  # every report states some numbers in its text
    if fmt == "txt":
        return {f"{stem}.txt": render(report, style, rng).encode("utf-8")}
    if fmt == "docx":
        return {f"{stem}.docx": _docx(report, rng)}
    return {f"{stem}.html": to_html(report, style, rng, encoding=rng.choice(["utf-8", "gbk"]))}


def _pdfs(docx_names: list[str], files: dict[str, bytes]) -> dict[str, bytes]:
    from .writers import libreoffice_convert

    with tempfile.TemporaryDirectory(prefix="govinfo-planted-") as tmp:
        srcs = []
        for name in docx_names:
            src = Path(tmp) / name
            src.write_bytes(files[name])
            srcs.append(src)
        libreoffice_convert(srcs, "pdf", Path(tmp) / "pdf")
        return {f"{Path(n).stem}.pdf": (Path(tmp) / "pdf" / f"{Path(n).stem}.pdf").read_bytes() for n in docx_names}


def _add_bad_files(out: PlantedCorpus, seed: int) -> None:
    from .generate import _bad_inputs

    sample_docx = next((v for k, v in out.files.items() if k.endswith(".docx")), None)
    for case in _bad_inputs(seed, sample_docx, None, None):
        if case.id.split("_bad_", 1)[1] in BAD_FILES:
            out.files[f"bad/{case.filename}"] = case.content
            out.expected.add(Finding("rejected_document", None, None, case.filename))
            out.planted["rejected_document"] += 1


def found_findings(con, names: dict[str, set[str]]) -> set[Finding]:
    """What marts.data_quality_issues reports, as Findings: each agency named by the
    generator's canonical name through the aliases the warehouse resolved."""
    key_of_alias = dict(con.execute("SELECT alias_name, agency_key FROM marts.dim_agency_alias").fetchall())
    agency_of_key = {}
    for agency, printed in names.items():
        for alias in printed:
            if alias in key_of_alias:
                agency_of_key.setdefault(key_of_alias[alias], agency)
    rows = con.execute("SELECT rule, agency_key, year, subject, source_file FROM marts.data_quality_issues").fetchall()
    return {Finding(rule, agency_of_key.get(key, key) if key else None, year, source.rsplit("/", 1)[-1] if rule == "rejected_document"
                    else subject) for rule, key, year, subject, source in rows}


def detection_table(expected: set[Finding], found: set[Finding], planted: Counter) -> list[dict]:
    """Per rule: breaks planted, findings expected, found of those, missed, and false ones."""
    rows = []
    for rule in sorted({*PLANTED_RULES, *(f.rule for f in found)},
                       key=lambda r: PLANTED_RULES.index(r) if r in PLANTED_RULES else len(PLANTED_RULES)):
        exp = {f for f in expected if f.rule == rule}
        got = {f for f in found if f.rule == rule}
        rows.append({"rule": rule, "planted": planted.get(rule, 0), "expected": len(exp), "found": len(exp & got),
                     "missed": len(exp - got), "false": len(got - exp)})
    return rows


def format_table(rows: list[dict]) -> str:
    head = "| rule | planted | expected findings | found | missed | false |\n| --- | ---: | ---: | ---: | ---: | ---: |\n"
    return head + "".join(f"| {r['rule']} | {r['planted']} | {r['expected']} | {r['found']} | {r['missed']} | "
                          f"{r['false']} |\n" for r in rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--agencies", type=int, default=12)
    ap.add_argument("--per-rule", type=int, default=2)
    ap.add_argument("--pdfs", type=int, default=2)
    ap.add_argument("--seed", type=int, default=5)
    args = ap.parse_args()
    corpus = build_planted(args.seed, args.agencies, args.per_rule, args.pdfs)
    corpus.write(args.out / "raw")
    (args.out / "expected.json").write_text(json.dumps(
        {"findings": [f.__dict__ for f in sorted(corpus.expected, key=str)], "planted": corpus.planted,
         "names": {k: sorted(v) for k, v in corpus.names.items()}}, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"wrote {len(corpus.files)} files ({corpus.reports} reports) to {args.out}/raw, "
          f"{len(corpus.expected)} expected findings to {args.out}/expected.json")


if __name__ == "__main__":
    main()
