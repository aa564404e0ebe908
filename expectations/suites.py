"""The suites, one per checked table. Each expectation's meta carries its severity:
`error` where a failure means our pipeline is broken (keys, types, ranges, spam names in
the marts), `warn` where the published report itself is wrong (rule findings, a year out of
range as printed). The staging suites check the tables the polars step writes (raw.*), so
their checks can stop dbt before it builds on broken staging data. The marts' keys are dbt's
to test (unique, not_null, dbt_utils.unique_combination_of_columns in `_marts.yml`): no suite
repeats them, so a broken key is one failed check.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Callable

import great_expectations.expectations as gxe
import polars as pl
from great_expectations.expectations.row_conditions import Column as Col

from ingestion.load.limits import AGENCY_NAME_LENGTH, FIRST_YEAR, MAX_COUNT
from ingestion.parser.meta import SPAM_MARK
from ingestion.parser.prose import PROSE_RULE
from ingestion.parser.rules import RULES, rule_terms
from ingestion.parser.spec import all_fields, measures

CROSS_YEAR_RULES = ("carryover", "in_force_chain")


def _meta(severity: str, why: str) -> dict:
    return {"severity": severity, "why": why}


FINDING = "finding"  # a rule result in words where it failed: Data Docs show these as its unexpected values
FINDING_PARTS = ("agency_name", "year", "rule", "subject", "source_file")


def _finding(columns: list[str]) -> pl.Expr:
    """A failed rule result named in words (agency · year · rule · subject · file), null where
    it passed: GX's Data Docs list a failed expectation's unexpected values, so a finding's
    page names the reports, not "False"."""
    parts = [pl.col(c).cast(pl.String) for c in FINDING_PARTS if c in columns]
    return pl.when(pl.col("passed").not_()).then(pl.concat_str(parts, separator=" · ", ignore_nulls=True))


@dataclass
class Suite:
    """A named list of expectations; GX's ExpectationSuite is built inside a context by
    expectations.validate, since GX 1.x ties suites to an active context. `derived`: columns
    made from the table's before validating (name → (the columns read, the expression))."""
    name: str
    expectations: list
    derived: dict[str, tuple[tuple[str, ...], Callable[[list[str]], pl.Expr]]] = field(default_factory=dict)

    def prepare(self, frame: pl.DataFrame) -> pl.DataFrame:
        """The frame with the derived columns the expectations read."""
        made = [make(frame.columns).alias(name) for name, (_, make) in self.derived.items()]
        return frame.with_columns(made) if made else frame

    def severities(self) -> dict[str, int]:
        """How many expectations of each severity (error, warn) the suite holds."""
        out: dict[str, int] = {}
        for e in self.expectations:
            out[e.meta["severity"]] = out.get(e.meta["severity"], 0) + 1
        return out

    def columns(self) -> set[str]:
        """The columns the expectations read (a check loads only these, plus context)."""
        out: set[str] = {c for inputs, _ in self.derived.values() for c in inputs}
        for e in self.expectations:
            out.update(c for c in [getattr(e, "column", None)] if c)
            out.update(getattr(e, "column_list", None) or [])
            out.update(_condition_columns(getattr(e, "row_condition", None)))
        return out


def _condition_columns(condition) -> set[str]:
    """The columns a row condition reads (a frame without them fails the expectation)."""
    if condition is None or isinstance(condition, str):
        return set()
    column = getattr(condition, "column", None)
    found = {column.name} if column is not None else set()
    for part in getattr(condition, "conditions", None) or []:
        found |= _condition_columns(part)
    return found


def _year_range(column: str = "year") -> gxe.Expectation:
    # a year out of range is how the report was published (data_quality_issues lists it)
    return gxe.ExpectColumnValuesToBeBetween(column=column, min_value=FIRST_YEAR, max_value=date.today().year,
                                            meta=_meta("warn", "report years are plausible (2008 to this year)"))


def _agency_name(column: str = "agency_name") -> list:
    return [
        gxe.ExpectColumnValuesToNotBeNull(column=column, meta=_meta("error", "agency names are present")),
        gxe.ExpectColumnValueLengthsToBeBetween(column=column, min_value=AGENCY_NAME_LENGTH[0],
                                                max_value=AGENCY_NAME_LENGTH[1],
                                                meta=_meta("error", "agency names are not empty")),
        gxe.ExpectColumnValuesToNotMatchRegex(column=column, regex=SPAM_MARK.pattern,
                                              meta=_meta("error", "agency names are free of spam text")),
    ]


def staging_report_cells(**_) -> Suite:
    signed = [f.field for f in all_fields() if f.unit == "signed_count"]  # 2019: 本年增/减
    return Suite("raw_report_cells", [
        gxe.ExpectColumnValuesToNotBeNull(column="document_id", meta=_meta("error", "every cell has its document")),
        gxe.ExpectColumnValuesToBeInSet(column="field", value_set=[f.field for f in all_fields()],
                                        meta=_meta("error", "cells are the templates' fields")),
        gxe.ExpectColumnValuesToBeOfType(column="value", type_="float64",
                                         meta=_meta("error", "cell values are numbers")),
        gxe.ExpectColumnValuesToBeBetween(column="value", min_value=0, max_value=MAX_COUNT,
                                          row_condition=Col("field").is_not_in(signed),
                                          meta=_meta("error", "cell values are non-negative and plausible")),
        gxe.ExpectColumnValuesToBeBetween(column="value", min_value=-MAX_COUNT, max_value=MAX_COUNT,
                                          meta=_meta("error", "signed cells (本年增/减) are plausible")),
        gxe.ExpectColumnValuesToBeBetween(column="ocr_confidence", min_value=0, max_value=1,
                                          meta=_meta("error", "an OCR confidence is a share")),
        gxe.ExpectColumnValuesToNotBeNull(column="uncertain",
                                          meta=_meta("error", "every cell says whether it was read with certainty")),
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["document_id", "field"],
                                            meta=_meta("error", "one value per document and field")),
    ])


def staging_documents(**_) -> Suite:
    return Suite("raw_documents", [
        gxe.ExpectColumnValuesToBeUnique(column="document_id", meta=_meta("error", "documents load once")),
        gxe.ExpectColumnValuesToNotBeNull(column="year", meta=_meta("error", "every loaded report has its year")),
        _year_range(),
        *_agency_name(),
    ])


def dim_agency(**_) -> Suite:
    return Suite("dim_agency", [
        *_agency_name(),
    ])


def fct_agency_year(**_) -> Suite:
    counts = [m for m, cells in measures().items() if all(f.unit == "count" for f in cells)]
    return Suite("fct_agency_year", [
        _year_range(),
        *_agency_name(),
        # a headline count sums a report's cells, each within the loader's hard limits: a sum past
        # MAX_COUNT is how one report was published (warn), not a fault that stops publication
        *[gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0, max_value=MAX_COUNT,
                                            meta=_meta("warn", f"{c} is a plausible count")) for c in counts],
    ])


def _rule_results(rules, finding: str) -> list:
    """What every rule-result table must satisfy; a failed rule itself is only a warning, and
    only the agency's own (every cell read with certainty): this check is where a rule finding
    fails, once (no dbt test repeats it), and its failing rows are the count the CLI and the
    overview show. A failure on a cell read with doubt is our reading's, listed in
    data_quality_issues, not counted against the agency."""
    return [
        gxe.ExpectColumnValuesToBeInSet(column="rule", value_set=list(rules),
                                        meta=_meta("error", f"rules are {', '.join(rules)}")),
        gxe.ExpectColumnValuesToNotBeNull(column="passed", meta=_meta("error", "every rule result is decided")),
        gxe.ExpectColumnValuesToBeNull(column=FINDING, row_condition=Col("finding_source") == "agency",
                                       meta=_meta("warn", finding)),
    ]


def _rule_suite(name: str, expectations: list) -> Suite:
    """A rule-result table's suite: its failures named in words (FINDING) for the Data Docs."""
    return Suite(name, expectations, derived={FINDING: (("passed", *FINDING_PARTS), _finding)})


def rec_within_report(n_reports: int = 0, n_statements: int = 0, **_) -> Suite:
    per_report = len({(t.rule, t.subject) for t in rule_terms()})
    return _rule_suite("rec_within_report", [
        gxe.ExpectTableRowCountToEqual(value=per_report * n_reports + n_statements, meta=_meta(
            "error", f"every report has its {per_report} rule results and one per statement of its text compared")),
        *_rule_results((*RULES, PROSE_RULE), "published reports obey the within-report rules and their text agrees "
                                             "with their tables"),
    ])


def rec_cross_year(**_) -> Suite:
    return _rule_suite("rec_cross_year", _rule_results(CROSS_YEAR_RULES, "consecutive reports chain"))


def data_quality_issues(**_) -> Suite:
    return Suite("data_quality_issues", [
        gxe.ExpectColumnValuesToBeInSet(column="severity", value_set=["info", "warn", "error"],
                                        meta=_meta("error", "severities are info, warn or error")),
        gxe.ExpectColumnValuesToNotBeNull(column="message", meta=_meta("error", "every issue says what is wrong")),
        gxe.ExpectColumnValuesToNotBeNull(column="source_file", meta=_meta("error", "every issue names its file")),
        gxe.ExpectColumnValuesToBeInSet(column="finding_source", value_set=["agency", "extraction", "file"],
                                        meta=_meta("error", "every issue says whose it is: agency, extraction or file")),
    ])


# table (schema, name) → suite builder; the asset checks are generated from this.
SUITES: dict[tuple[str, str], Callable[..., Suite]] = {
    ("raw", "documents"): staging_documents,
    ("raw", "report_cells"): staging_report_cells,
    ("marts", "dim_agency"): dim_agency,
    ("marts", "fct_agency_year"): fct_agency_year,
    ("marts", "rec_within_report"): rec_within_report,
    ("marts", "rec_cross_year"): rec_cross_year,
    ("marts", "data_quality_issues"): data_quality_issues,
}
