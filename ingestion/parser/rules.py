"""Within-report rules, evaluated on parsed cells. The rules themselves are data: the
`[[rules]]` of each template file (templates/*.toml), expanded into checks.

A check (rule, subject) passes when the sum of its `expected` terms equals the sum of its
`actual` terms, blanks counting as 0. `govinfo parse` evaluates the checks in Python for
its `violations`; the pipeline writes the same terms to the warehouse (raw.rule_terms) and
dbt evaluates them in SQL for `marts.rec_within_report`, so the rules live only in the
template files. Every template version has the same sections 三 and 四, so one set of
terms serves the warehouse; a test keeps it that way.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from .template import Check, load

RULES = ("balance", "outcome_sum", "row_total", "review_total")
TOLERANCE = 1e-6
WAREHOUSE_TEMPLATE = "2021"


@dataclass(frozen=True)
class RuleTerm:
    rule: str
    subject: str
    side: str  # "expected" or "actual"
    field: str


def checks(version: str = WAREHOUSE_TEMPLATE) -> tuple[Check, ...]:
    return load(version).checks()


@lru_cache(maxsize=1)
def rule_terms() -> tuple[RuleTerm, ...]:
    terms: list[RuleTerm] = []
    for c in checks():
        terms.extend(RuleTerm(c.rule, c.subject, "expected", f) for f in c.expected)
        terms.extend(RuleTerm(c.rule, c.subject, "actual", f) for f in c.actual)
    return tuple(terms)


def holds(expected: float, actual: float) -> bool:
    """Whether a check's two sums agree: the one comparison every evaluator in Python makes
    (SQL makes it with the dbt var `rule_tolerance`, held equal to TOLERANCE by a test)."""
    return abs(expected - actual) <= TOLERANCE


def total(fields, cells: dict) -> float:
    """The sum of some cells, a blank counting as 0."""
    return sum(cells.get(f) or 0 for f in fields)


def sides(check: Check, cells: dict) -> tuple[float, float]:
    """(expected, actual): the sums of a check's two sides."""
    return total(check.expected, cells), total(check.actual, cells)


def passes(check: Check, cells: dict) -> bool:
    return holds(*sides(check, cells))


def evaluate(cells: dict[str, float | int | None], version: str = WAREHOUSE_TEMPLATE) -> list[dict]:
    """Every rule check of one report, in rule order: {rule, subject, expected, actual, passed}."""
    out = []
    for c in checks(version):
        expected, actual = sides(c, cells)
        out.append({"rule": c.rule, "subject": c.subject, "expected": expected, "actual": actual,
                    "passed": holds(expected, actual)})
    return out


def violations(cells: dict[str, float | int | None], version: str = WAREHOUSE_TEMPLATE) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "passed"} for r in evaluate(cells, version) if not r["passed"]]
