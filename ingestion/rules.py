"""Within-report rules, written once as data: each rule check is a set of terms.

A check (rule, subject) passes when the sum of its `expected` terms equals the sum of its
`actual` terms, blanks counting as 0. `govinfo parse` evaluates the terms in Python for its
`violations`; the pipeline writes the same terms to the warehouse (raw.rule_terms) and dbt
evaluates them in SQL for `marts.rec_within_report`, so the rules live only here.

- balance (per applicant column): 一 + 二 (expected) = 三（七）总计 + 四 (actual)
- outcome_sum (per column): sum of outcome rows incl. other_processing = 三（七）总计
- row_total (per row of table 三): six applicant columns = 总计
- review_total (per review/litigation group): 维持 + 纠正 + 其他 + 尚未审结 = 总计
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from .spec import APPLICANT_COLS, APPLICANT_TYPES, REVIEW_GROUPS, application_rows, outcome_rows

RULES = ("balance", "outcome_sum", "row_total", "review_total")
TOLERANCE = 1e-6


@dataclass(frozen=True)
class RuleTerm:
    rule: str
    subject: str
    side: str  # "expected" or "actual"
    field: str


@lru_cache(maxsize=1)
def rule_terms() -> tuple[RuleTerm, ...]:
    terms: list[RuleTerm] = []

    def add(rule, subject, expected, actual):
        terms.extend(RuleTerm(rule, subject, "expected", f) for f in expected)
        terms.extend(RuleTerm(rule, subject, "actual", f) for f in actual)

    for col in APPLICANT_COLS:
        add("balance", col,
            [f"applications.new_received.{col}", f"applications.carried_over.{col}"],
            [f"applications.total_processed.{col}", f"applications.carried_forward.{col}"])
    for col in APPLICANT_COLS:
        add("outcome_sum", col, [f"applications.{r}.{col}" for r in outcome_rows()],
            [f"applications.total_processed.{col}"])
    for row in application_rows():
        add("row_total", row, [f"applications.{row}.{c}" for c in APPLICANT_TYPES],
            [f"applications.{row}.total"])
    for group in REVIEW_GROUPS:
        add("review_total", group,
            [f"review_litigation.{group}.{c}" for c in ("upheld", "corrected", "other", "pending")],
            [f"review_litigation.{group}.total"])
    return tuple(terms)


@lru_cache(maxsize=1)
def _checks() -> tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...]:
    """(rule, subject, expected fields, actual fields) per check, in rule order."""
    grouped: dict[tuple[str, str], tuple[list[str], list[str]]] = {}
    for t in rule_terms():
        expected, actual = grouped.setdefault((t.rule, t.subject), ([], []))
        (expected if t.side == "expected" else actual).append(t.field)
    return tuple((rule, subject, tuple(e), tuple(a)) for (rule, subject), (e, a) in grouped.items())


def evaluate(cells: dict[str, float | int | None]) -> list[dict]:
    """Every rule check of one report, in rule order: {rule, subject, expected, actual, passed}."""
    out = []
    for rule, subject, expected_fields, actual_fields in _checks():
        expected = sum(cells.get(f) or 0 for f in expected_fields)
        actual = sum(cells.get(f) or 0 for f in actual_fields)
        out.append({"rule": rule, "subject": subject, "expected": expected, "actual": actual,
                    "passed": abs(expected - actual) <= TOLERANCE})
    return out


def violations(cells: dict[str, float | int | None]) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "passed"} for r in evaluate(cells) if not r["passed"]]
