"""Report truth: realistic agencies and numbers that obey the format's rules.

Every number is drawn so that the within-report rules hold (and across years, carryover
and the in-force chain), unless a violation is injected on purpose; the injected rules are
recorded so tests know what must be found.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable

from ingestion.resolve.divisions import province_of
from ingestion.parser.rules import violations
from ingestion.parser.spec import APPLICANT_TYPES, REVIEW_COLS, REVIEW_GROUPS, field_names, outcome_rows

AGENCY_KINDS = [
    "人民政府办公室", "人民政府外事办公室", "发展和改革委员会", "教育局", "公安局", "财政局", "人力资源和社会保障局",
    "自然资源和规划局", "生态环境局", "住房和城乡建设局", "交通运输局", "卫生健康委员会", "市场监督管理局",
    "商务局", "农业农村局", "文化和旅游局", "应急管理局", "医疗保障局", "民政局", "司法局", "统计局",
]


@lru_cache(maxsize=1)
def cities() -> list[str]:
    """Prefecture-level cities of the gazetteer (full names ending in 市)."""
    return sorted(full for full, prov in province_of().items() if full != prov and full.endswith("市"))


@dataclass
class Report:
    agency: str
    place: str  # full place name (聊城市)
    kind: str  # agency kind (教育局)
    year: int
    cells: dict[str, float | int | None]
    injected: list[str] = field(default_factory=list)  # rules broken on purpose
    template: str = "2021"  # the format version it is printed in (2019: the trial format)
    # (rule, subject) of every check the injections break: what the warehouse must find
    injected_checks: list[tuple[str, str]] = field(default_factory=list)
    # section 一's text states these numbers instead of the table's (corpus.prose): key → number
    prose_planted: dict[str, int] = field(default_factory=dict)

    @property
    def expected_violations(self) -> list[str]:
        return sorted({v["rule"] for v in violations(self.cells)})


def agency_name(rng: random.Random) -> tuple[str, str, str]:
    place = rng.choice(cities())
    kind = rng.choice(AGENCY_KINDS)
    return place + kind, place, kind


def _split(rng: random.Random, total: int, parts: int, weights: list[float] | None = None) -> list[int]:
    """Split a count into parts at random (multinomial), so the parts sum to the total."""
    out = [0] * parts
    w = weights or [1.0] * parts
    for _ in range(total):
        out[rng.choices(range(parts), weights=w)[0]] += 1
    return out


def make_cells(rng: random.Random, carried_over: dict[str, int] | None = None,
               in_force: tuple[int, int] | None = None, size: int | None = None) -> dict[str, float | int | None]:
    """One report's cells. carried_over: last year's carried_forward per applicant type;
    in_force: last year's (regulations, normative documents) in force; size: new requests
    this year (drawn when not given)."""
    cells: dict[str, float | int | None] = dict.fromkeys(field_names())
    if size is None:
        size = rng.choice([0, 0, 1, 2, 3, 5, 8, 12, 20, 35, 60, 120, 400])
    type_w = [8, 1.5, 0.2, 0.2, 0.4, 0.5]
    outcome_w = {r: w for r, w in zip(outcome_rows(), [
        10, 2, 0.3, 0.3, 0.3, 0.5, 0.3, 0.5, 0.3, 0.3,  # granted, partial, 8 withheld
        4, 1, 0.5,  # unavailable
        0.5, 0.5, 0.2, 0.2, 0.3,  # rejected
        0.5, 0.1, 0.8, 0,  # other sub-rows, other_processing (single row: 0 weight here)
    ])}
    new = dict(zip(APPLICANT_TYPES, _split(rng, size, 6, type_w)))
    prev = carried_over or {t: rng.choice([0, 0, 0, 1]) if size else 0 for t in APPLICANT_TYPES}
    for t in APPLICANT_TYPES:
        available = new[t] + prev[t]
        forward = rng.choice([0, 0, 0, 1]) if available else 0
        forward = min(forward, available)
        processed = available - forward
        split = _split(rng, processed, len(outcome_w), list(outcome_w.values()))
        cells[f"applications.new_received.{t}"] = new[t]
        cells[f"applications.carried_over.{t}"] = prev[t]
        cells[f"applications.carried_forward.{t}"] = forward
        cells[f"applications.total_processed.{t}"] = processed
        for row, n in zip(outcome_w, split):
            cells[f"applications.{row}.{t}"] = n
    for row in ["new_received", "carried_over", "carried_forward", "total_processed", *outcome_w]:
        cells[f"applications.{row}.total"] = sum(cells[f"applications.{row}.{t}"] for t in APPLICANT_TYPES)
    for row in ["other_processing"]:  # printed only when the report folds （六） into one row
        for c in [*APPLICANT_TYPES, "total"]:
            cells[f"applications.{row}.{c}"] = None
    reviews = max(0, int(rng.gauss(size * 0.05, 1)))
    for g in REVIEW_GROUPS:
        n = reviews if g == "review" else rng.choice([0, 0, 0, 1, 2]) * (size > 10)
        parts = _split(rng, n, 4, [5, 1, 1, 2])
        for c, v in zip(REVIEW_COLS, [*parts, n]):
            cells[f"review_litigation.{g}.{c}"] = v
    reg_prev, norm_prev = in_force or (rng.choice([0, 0, 0, 2, 5, 12]), rng.randint(0, 60))
    for row, prev_n in (("regulations", reg_prev), ("normative_documents", norm_prev)):
        issued = rng.choice([0, 0, 1, 2, 4]) if row == "regulations" else rng.randint(0, 12)
        repealed = min(prev_n, rng.choice([0, 0, 0, 1, 3]))
        cells[f"active.{row}.issued"] = issued
        cells[f"active.{row}.repealed"] = repealed
        cells[f"active.{row}.in_force"] = prev_n + issued - repealed
    for row in ("licensing", "punishment", "enforcement"):
        cells[f"active.{row}.decisions"] = rng.choice([0, 0, rng.randint(1, 50), rng.randint(50, 5000)])
    cells["active.admin_fees.amount_10k_yuan"] = rng.choice([0, 0, 0, round(rng.uniform(0.1, 500), 2)])
    return cells


def make_cells_2019(rng: random.Random, cells: dict) -> None:
    """Section 二 of the 2019 trial format in place of 2021's: the 2021 `active.*` cells are
    null (a 2019 report does not print them) and the `active_2019.*` cells are drawn."""
    for f in [k for k in cells if k.startswith("active.")]:
        cells[f] = None
    for row in ("regulations", "normative_documents"):
        made = rng.choice([0, 0, 1, 2, 4]) if row == "regulations" else rng.randint(0, 40)
        published = made if rng.random() < 0.8 else rng.randint(0, made)
        cells[f"active_2019.{row}.made"] = made
        cells[f"active_2019.{row}.published"] = published
        cells[f"active_2019.{row}.published_total"] = published + rng.choice([0, 0, rng.randint(1, 900)])
    for row in ("licensing", "other_services", "punishment", "enforcement"):
        prev = rng.choice([0, 0, rng.randint(1, 60), rng.randint(60, 800)])
        cells[f"active_2019.{row}.items_prev_year"] = prev
        cells[f"active_2019.{row}.items_change"] = rng.choice([0, 0, rng.randint(-min(prev, 20), 20)])
        cells[f"active_2019.{row}.decisions"] = rng.choice([0, 0, rng.randint(1, 50), rng.randint(50, 5000)])
    prev = rng.choice([0, 0, rng.randint(1, 40)])
    cells["active_2019.admin_fees.items_prev_year"] = prev
    cells["active_2019.admin_fees.items_change"] = rng.choice([0, 0, rng.randint(-min(prev, 5), 5)])
    items = rng.choice([0, 0, rng.randint(1, 80)])
    cells["active_2019.procurement.items"] = items
    cells["active_2019.procurement.amount"] = round(rng.uniform(1, 9000), 2) if items else 0


def fold_other_processing(cells: dict) -> None:
    """（六）其他处理 printed as one row: sub-rows blank, the single row carries their sum."""
    subs = ("other_no_correction", "other_unpaid_fee", "other_other")
    for c in [*APPLICANT_TYPES, "total"]:
        cells[f"applications.other_processing.{c}"] = sum(cells[f"applications.{r}.{c}"] or 0 for r in subs)
        for r in subs:
            cells[f"applications.{r}.{c}"] = None


def inject(rng: random.Random, report: Report, rule: str) -> None:
    """Break one rule on purpose, the way real reports do (a wrong printed number), and
    nothing else: the checks it breaks are recorded in `report.injected_checks`."""
    c = report.cells

    def bump(key: str, k: int) -> None:
        c[key] = (c[key] or 0) + k

    if rule == "balance":
        # 四 printed too high in one column and its 总计: 一+二 ≠ 三（七）+四 there
        k = rng.randint(1, 3)
        bump("applications.carried_forward.natural_person", k)
        bump("applications.carried_forward.total", k)
        checks = [("balance", "natural_person"), ("balance", "total")]
    elif rule == "row_total":
        # one request entered on the wrong row: its column still sums, the two rows' 总计 do not
        col, src = next(((t, r) for t in APPLICANT_TYPES for r in outcome_rows()
                         if (c[f"applications.{r}.{t}"] or 0) > 0), ("natural_person", None))
        dst = "granted" if src != "granted" else "partially_granted"
        bump(f"applications.{dst}.{col}", 1)
        if src is None:  # nothing to move: one row's column printed one too high
            bump(f"applications.total_processed.{col}", 1)
            bump(f"applications.new_received.{col}", 1)
            checks = [("row_total", dst), ("row_total", "total_processed"), ("row_total", "new_received")]
        else:
            bump(f"applications.{src}.{col}", -1)
            checks = [("row_total", dst), ("row_total", src)]
    elif rule == "review_total":
        bump("review_litigation.review.total", 1)
        checks = [("review_total", "review")]
    elif rule == "outcome_sum":
        # one outcome row too high across the board, so only the outcome sum breaks
        row = "applications.unavailable_not_held"
        bump(f"{row}.natural_person", 1)
        bump(f"{row}.total", 1)
        checks = [("outcome_sum", "natural_person"), ("outcome_sum", "total")]
    else:
        raise ValueError(f"no injection for rule {rule!r}")
    report.injected.append(rule)
    report.injected_checks.extend(checks)


def break_carryover(report: Report, k: int = 2) -> None:
    """上年结转 printed k higher than last year's 结转下年度 (and 结转 this year by as much, so
    this report still balances): only the carryover rule breaks, on this year."""
    for row in ("carried_over", "carried_forward"):
        for col in ("natural_person", "total"):
            report.cells[f"applications.{row}.{col}"] += k
    report.injected.append("carryover")
    report.injected_checks.append(("carryover", "total"))


def break_in_force(report: Report, k: int = 3) -> None:
    """现行有效 of normative documents printed k too high: the chain breaks on this year; the
    next year's report carries the printed number on, as agencies do."""
    report.cells["active.normative_documents.in_force"] += k
    report.injected.append("in_force_chain")
    report.injected_checks.append(("in_force_chain", "normative_documents"))


def series(rng: random.Random, years: list[int], agency: tuple[str, str, str] | None = None,
           break_carryover_at: int | None = None, sizes: dict[int, int] | None = None,
           tamper: dict[int, Callable[[Report], None]] | None = None,
           templates: dict[int, str] | None = None) -> list[Report]:
    """Consecutive reports of one agency that chain (carryover, in force), unless broken.

    sizes: new requests per year (drawn when absent); tamper: year → a change applied to
    that year's report before the next year is drawn from it (a break the next year carries).
    """
    name, place, kind = agency or agency_name(rng)
    out: list[Report] = []
    prev = None
    for y in years:
        carried = in_force = None
        if prev is not None:
            carried = {t: prev.cells[f"applications.carried_forward.{t}"] for t in APPLICANT_TYPES}
            if prev.template == "2021":  # the trial format has no 现行有效 to chain from
                in_force = (prev.cells["active.regulations.in_force"], prev.cells["active.normative_documents.in_force"])
        cells = make_cells(rng, carried, in_force, size=(sizes or {}).get(y))
        template = (templates or {}).get(y, "2021")
        if template == "2019":
            make_cells_2019(rng, cells)
            fold_other_processing(cells)  # the trial format prints （六）其他处理 as one row
        prev = Report(name, place, kind, y, cells, template=template)
        if y == break_carryover_at:
            break_carryover(prev)
        if tamper and y in tamper:
            tamper[y](prev)
        out.append(prev)
    return out


def broken_promises(truth: dict, result: dict) -> list[str]:
    """What a parse result owes the truth and does not keep: a cell read as another number
    than the truth, a null the result does not call uncertain, a document called exact or
    verified that is not. Empty when every promise holds (the tests' and benchmarks' oracle)."""
    from ingestion.parser.template import load

    doubt = set(result["extraction"]["uncertain_cells"])
    out = []
    for f in load(result["template"]).fields:
        got, want = result["cells"].get(f), truth.get(f)
        if got is not None and got != want:
            out.append(f"wrong {f}: {got} (truth {want})")
        elif got is None and want is not None and f not in doubt:
            out.append(f"silent null {f} (truth {want})")
    if result["extraction"]["status"] != "uncertain" and out:
        out.append(f"called {result['extraction']['status']}")
    return out
