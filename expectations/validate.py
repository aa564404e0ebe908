"""Validate a polars frame against a suite; report failures with the rows behind them.

A failing row is reported with its context columns (agency, year, rule, numbers, source
file) so an alert names what to look at. An expectation that raised is reported as an
error of the check, never as a crash.

With a `store` folder, validation runs in a file-backed GX project there (`<store>/gx`):
suites, validation definitions and checkpoints are saved, every result is kept in its
validation results store, and the Data Docs site is updated
(`<store>/gx/uncommitted/data_docs/local_site/index.html`). A file lock serialises
writers, so checks running in parallel processes do not interleave their writes. GX keeps
results forever and lists them all on the Data Docs front page, which a sensor running all
day would grow without end: each suite keeps its newest KEEP_RESULTS results (with their
pages), GOVINFO_GX_KEEP_RESULTS to change it.
"""
from __future__ import annotations

import copy
import ctypes
import ctypes.util
import fcntl
import functools
import logging
import math
import os
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import great_expectations as gx
import polars as pl
from great_expectations.core.run_identifier import RunIdentifier
from great_expectations.data_context.types.base import ProgressBarsConfig

from .offline_docs import make_offline
from .suites import Suite

CONTEXT_COLUMNS = ("agency_name", "year", "rule", "subject", "expected", "actual", "field", "value",
                   "source_file", "document_id")
MAX_ROWS = 50
KEEP_RESULTS = int(os.environ.get("GOVINFO_GX_KEEP_RESULTS", "200"))


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
    docs_page: str | None = None  # this result's Data Docs page (file:// URL), when stored

    @property
    def success(self) -> bool:
        return not self.failures

    @property
    def severity(self) -> str | None:
        if not self.failures:
            return None
        return "error" if any(f.severity == "error" for f in self.failures) else "warn"

    def only(self, severity: str, evaluated: int) -> Outcome:
        """The part of the outcome about the expectations of one severity (`evaluated` of them)."""
        return replace(self, evaluated=evaluated, failures=[f for f in self.failures if f.severity == severity])


def _exception(info) -> str | None:
    """The message of an exception GX caught while evaluating an expectation: at the top of
    exception_info, or (GX 1.x) under the id of the metric that raised it."""
    if not isinstance(info, dict):
        return None
    if info.get("raised_exception"):
        return info.get("exception_message") or "raised an exception"
    nested = [v for v in info.values() if isinstance(v, dict) and v.get("raised_exception")]
    return (nested[0].get("exception_message") or "raised an exception") if nested else None


def _clean(v):
    if isinstance(v, float) and math.isnan(v):
        return None
    return v


def _to_pandas(frame: pl.DataFrame):
    """pandas for GX, with repetitive text columns (document ids, field names) as categories:
    2 M cell rows take ~0.1 GB instead of ~1 GB of Python strings."""
    repetitive = [name for name, dtype in frame.schema.items()
                  if dtype == pl.String and frame.height > 1000 and frame[name].n_unique() < frame.height // 2]
    return frame.with_columns(pl.col(repetitive).cast(pl.Categorical)).to_pandas() if repetitive else frame.to_pandas()


def _release_memory() -> None:
    """Hand the memory of a validation back to the OS: pandas and GX free it, but glibc keeps
    the freed heap in its arenas, so without a trim every check's peak stays in the process
    (measured at 10,000 documents: ~190 MB held after the rec_within_report suite). No
    gc.collect(): a full collection of this process's heap costs ~0.5 s a check."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim():
    """glibc's malloc_trim, looked up once; None elsewhere."""
    libc = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(libc).malloc_trim if libc else None
    except (OSError, AttributeError):  # not glibc
        return None


@contextmanager
def _locked(store: Path | None):
    if store is None:
        yield
        return
    Path(store).mkdir(parents=True, exist_ok=True)
    with open(Path(store) / ".gx.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def prune_results(project: Path, suite: str, keep: int = KEEP_RESULTS) -> int:
    """Delete all but the newest `keep` results of `suite` (run_name/run_time folders of the
    results store and of the Data Docs site); the next Data Docs update drops them from the
    front page. Returns how many results were deleted."""
    results = Path(project) / "uncommitted" / "validations" / suite
    pages = Path(project) / "uncommitted" / "data_docs" / "local_site" / "validations" / suite
    runs = sorted((t.name, t.relative_to(results)) for r in (results.iterdir() if results.is_dir() else [])
                  if r.is_dir() for t in r.iterdir() if t.is_dir())  # run times sort as text
    old = [rel for _, rel in runs[:max(len(runs) - keep, 0)]]
    for rel in old:
        for root in (results, pages):
            shutil.rmtree(root / rel, ignore_errors=True)
            try:
                (root / rel).parent.rmdir()  # the run's folder, once it holds no other result
            except OSError:
                pass
    return len(old)


def _get_or_add(get, add, name: str):
    try:
        return get(name)
    except (KeyError, LookupError, ValueError, gx.exceptions.DataContextError):
        return add(name)


def validate(frame: pl.DataFrame, suite: Suite, store: Path | None = None, run_name: str | None = None) -> Outcome:
    """Validate `frame` against `suite`; with `store`, keep the result and update Data Docs."""
    logging.getLogger("great_expectations").setLevel(logging.ERROR)  # its warnings are ours to report
    frame = suite.prepare(frame)
    with _locked(store):
        ctx = gx.get_context(mode="ephemeral") if store is None else gx.get_context(
            mode="file", project_root_dir=str(store))
        ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
        source = _get_or_add(ctx.data_sources.get, ctx.data_sources.add_pandas, "frames")
        asset = _get_or_add(source.get_asset, source.add_dataframe_asset, suite.name)
        batch_definition = _get_or_add(asset.get_batch_definition, asset.add_batch_definition_whole_dataframe, "all")
        gx_suite = ctx.suites.add_or_update(gx.ExpectationSuite(
            name=suite.name, expectations=[copy.copy(e) for e in suite.expectations]))  # a suite validated in parts
        definition = ctx.validation_definitions.add_or_update(
            gx.ValidationDefinition(name=suite.name, data=batch_definition, suite=gx_suite))
        actions = []
        if store is not None:
            prune_results(Path(store) / "gx", suite.name, keep=max(KEEP_RESULTS - 1, 0))  # room for this one
            actions = [gx.checkpoint.UpdateDataDocsAction(name="update_data_docs")]
        checkpoint = ctx.checkpoints.add_or_update(gx.Checkpoint(
            name=suite.name, validation_definitions=[definition], actions=actions,
            # SUMMARY with the first MAX_ROWS failing rows: COMPLETE keeps every failing row's
            # index and value in the stored result and renders them all in Data Docs (at 10,000
            # reports: 14,000 failed rule results, 370 KB a result and +190 MB while rendering)
            result_format={"result_format": "SUMMARY", "partial_unexpected_count": MAX_ROWS}))
        started = time.time() - 1  # the pages this run writes (file times have whole-second resolution on some file systems)
        run = checkpoint.run(batch_parameters={"dataframe": _to_pandas(frame)},
                             run_id=RunIdentifier(run_name=run_name) if run_name else None)
        [(identifier, result)] = run.run_results.items()
        docs_page = None
        if store is not None:
            make_offline(Path(store) / "gx" / "uncommitted" / "data_docs" / "local_site", since=started)
            urls = ctx.get_docs_sites_urls(resource_identifier=identifier, only_if_exists=True)
            docs_page = urls[0]["site_url"] if urls else None
    context_cols = [c for c in CONTEXT_COLUMNS if c in frame.columns]
    failures = []
    for r in result.results:
        if r.success:
            continue
        cfg = r.expectation_config
        meta = cfg.meta or {}
        error = _exception(r.exception_info)
        idx = (r.result or {}).get("partial_unexpected_index_list") or []
        rows = [{k: _clean(v) for k, v in frame.row(int(i), named=True).items() if k in context_cols}
                for i in idx[:MAX_ROWS] if isinstance(i, (int,)) or str(i).isdigit()]
        failures.append(Failure(expectation=cfg.type, column=cfg.kwargs.get("column"),
                                severity=meta.get("severity", "error"), why=meta.get("why", ""),
                                unexpected_count=(r.result or {}).get("unexpected_count"), rows=rows, error=error))
    evaluated = len(result.results)
    del run, result, ctx
    _release_memory()
    return Outcome(suite=suite.name, evaluated=evaluated, failures=failures, docs_page=docs_page)


def merge_outcomes(outcomes: list[Outcome]) -> Outcome:
    """One outcome for a table validated in parts: a failed expectation's counts added up, its
    first MAX_ROWS rows kept, the last part's Data Docs page."""
    merged: dict[tuple, Failure] = {}
    for o in outcomes:
        for f in o.failures:
            key = (f.expectation, f.column, f.why)
            if key not in merged:
                merged[key] = Failure(f.expectation, f.column, f.severity, f.why, f.unexpected_count,
                                      list(f.rows), f.error)
                continue
            m = merged[key]
            if f.unexpected_count is not None:
                m.unexpected_count = (m.unexpected_count or 0) + f.unexpected_count
            m.rows = (m.rows + f.rows)[:MAX_ROWS]
            m.error = m.error or f.error
    last = outcomes[-1]
    return Outcome(suite=last.suite, evaluated=max(o.evaluated for o in outcomes), failures=list(merged.values()),
                   docs_page=last.docs_page)
