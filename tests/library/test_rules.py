"""Within-report rules: a consistent report passes every check, each injected break is found."""
import pytest

from corpus.truth import inject, series
from ingestion.parser.rules import RULES, evaluate, rule_terms, violations


def test_consistent_report_passes_every_check(rng):
    report = series(rng, [2022])[0]
    results = evaluate(report.cells)
    assert len(results) == len({(t.rule, t.subject) for t in rule_terms()})
    assert all(r["passed"] for r in results)


@pytest.mark.parametrize("rule", RULES)
def test_each_injected_break_is_found_and_nothing_else(rng, rule):
    # many reports, small ones included (nothing to move between rows), each broken once
    for _ in range(40):
        report = series(rng, [2022], sizes={2022: rng.choice([0, 1, 3, 40])})[0]
        inject(rng, report, rule)
        found = {(v["rule"], v["subject"]) for v in violations(report.cells)}
        assert found == set(report.injected_checks), report.cells


def test_blank_counts_as_zero():
    cells = {"applications.new_received.total": None, "applications.carried_over.total": 2,
             "applications.total_processed.total": 2, "applications.carried_forward.total": None}
    balance = [r for r in evaluate(cells) if r["rule"] == "balance" and r["subject"] == "total"][0]
    assert balance["passed"] and balance["expected"] == 2 and balance["actual"] == 2


def test_sql_compares_the_sums_with_the_parsers_tolerance():
    """One tolerance: the parser's, and the dbt var the rule marts compare with."""
    from pathlib import Path

    import yaml

    from ingestion.parser.rules import TOLERANCE

    project = yaml.safe_load((Path(__file__).parents[2] / "dbt_project" / "dbt_project.yml").read_text())
    assert float(project["vars"]["rule_tolerance"]) == TOLERANCE
    marts = Path(__file__).parents[2] / "dbt_project" / "models" / "marts"
    for sql in marts.glob("rec_*.sql"):
        assert "1e-6" not in sql.read_text(), f"{sql.name}: compare with var('rule_tolerance')"
