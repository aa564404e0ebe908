"""Validate a polars frame against a suite; report failures with the rows behind them.

A failing row is reported with its context columns (agency, year, rule, numbers, source
file) so an alert names what to look at. An expectation that raised is reported as an
error of the check, never as a crash.
"""
from __future__ import annotations

import logging
import math
import os
from dataclasses import dataclass, field

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

import great_expectations as gx  # noqa: E402
import polars as pl  # noqa: E402
from great_expectations.data_context.types.base import ProgressBarsConfig  # noqa: E402

from .suites import Suite  # noqa: E402

CONTEXT_COLUMNS = ("agency_name", "year", "rule", "subject", "expected", "actual", "field", "value",
                   "source_file", "document_id")
MAX_ROWS = 50
logging.getLogger("great_expectations").setLevel(logging.ERROR)


@dataclass
class Failure:
    expectation: str
    column: str | None
    severity: str
    why: str
    unexpected_count: int | None
    rows: list[dict] = field(default_factory=list)
    error: str | None = None


@dataclass
class Outcome:
    suite: str
    evaluated: int
    failures: list[Failure]

    @property
    def success(self) -> bool:
        return not self.failures

    @property
    def severity(self) -> str | None:
        if not self.failures:
            return None
        return "error" if any(f.severity == "error" for f in self.failures) else "warn"


def _clean(v):
    if isinstance(v, float) and math.isnan(v):
        return None
    return v


def validate(frame: pl.DataFrame, suite: Suite) -> Outcome:
    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    gx_suite = gx.ExpectationSuite(name=suite.name)
    for expectation in suite.expectations:
        gx_suite.add_expectation(expectation)
    batch = (ctx.data_sources.add_pandas("frames").add_dataframe_asset(suite.name)
             .add_batch_definition_whole_dataframe("all")
             .get_batch(batch_parameters={"dataframe": frame.to_pandas()}))
    result = batch.validate(gx_suite, result_format={"result_format": "COMPLETE"})
    context_cols = [c for c in CONTEXT_COLUMNS if c in frame.columns]
    failures = []
    for r in result.results:
        if r.success:
            continue
        cfg = r.expectation_config
        meta = cfg.meta or {}
        exc = r.exception_info or {}
        error = exc.get("exception_message") if exc.get("raised_exception") else None
        idx = (r.result or {}).get("unexpected_index_list") or []
        rows = [{k: _clean(v) for k, v in frame.row(int(i), named=True).items() if k in context_cols}
                for i in idx[:MAX_ROWS] if isinstance(i, (int,)) or str(i).isdigit()]
        failures.append(Failure(expectation=cfg.type, column=cfg.kwargs.get("column"),
                                severity=meta.get("severity", "error"), why=meta.get("why", ""),
                                unexpected_count=(r.result or {}).get("unexpected_count"), rows=rows, error=error))
    return Outcome(suite=suite.name, evaluated=len(result.results), failures=failures)
