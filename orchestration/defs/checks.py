"""Great Expectations suites (expectations/) as Dagster asset checks.

Each check reads its table from DuckDB read-only into a dataframe and validates it in the
GX project beside the warehouse, which keeps every result and updates the Data Docs. A
failed suite is a failed check — severity ERROR where the pipeline is broken, WARN where
the published data is wrong — with the failing rows (agency, year, rule, numbers, source
file) and the Data Docs page in its metadata. One validation per table gives two checks:
`gx_<table>` for its ERROR expectations, blocking (it stops what is built downstream: dbt
after broken staging tables; alerts and publication after broken marts), and
`gx_<table>_warnings` for its WARN expectations, which never blocks.

raw.report_cells (207 rows a document, millions in all) is checked incrementally: the rows
of the documents loaded since the last validation without an ERROR (a bookmark on
raw.documents.loaded_at in gx_validated.json beside the warehouse). Rows of a document are
only ever replaced as a whole, so every row is validated once after it is loaded, and a run
that adds one document validates 207 rows, not millions; many documents are validated
2,000 at a time (one GX result each), so memory stays flat. A run tagged
`govinfo/checks=full` (the daily rebuild) validates every row.
"""

import inspect
import json
import os
from pathlib import Path
from urllib.parse import unquote, urlparse

import dagster as dg

from expectations.suites import SUITES
from expectations.validate import CONTEXT_COLUMNS, Outcome, merge_outcomes, validate
from ingestion.load.warehouse import connect

from .resources import WarehousePaths


def _metadata(outcome: Outcome, rows: int, layout=None) -> dict:
    failures = [{"expectation": f.expectation, "column": f.column, "severity": f.severity, "why": f.why,
                 "unexpected_count": f.unexpected_count, "error": f.error, "rows": f.rows}
                for f in outcome.failures]
    meta = {"suite": outcome.suite, "rows_validated": rows, "expectations_evaluated": outcome.evaluated,
            "expectations_failed": len(outcome.failures), "failures": dg.MetadataValue.json(failures)}
    if outcome.docs_page:  # a file:// URL from GX: served under GOVINFO_WAREHOUSE_URL when set
        page = Path(unquote(urlparse(outcome.docs_page).path))
        meta["data_docs"] = dg.MetadataValue.url(layout.url(page) if layout else outcome.docs_page)
    if outcome.failures:
        lines = []
        for f in outcome.failures:
            lines.append(f"- **{f.severity}** `{f.expectation}` on `{f.column}`: {f.why} "
                         f"({f.unexpected_count} rows){' — ' + f.error if f.error else ''}")
            for r in f.rows[:10]:
                lines.append("  - " + ", ".join(f"{k}={v}" for k, v in r.items()))
        meta["summary"] = dg.MetadataValue.md("\n".join(lines))
    return meta


INCREMENTAL = {("raw", "report_cells")}  # per-document tables checked for what was loaded since
CHUNK_DOCUMENTS = 2000  # documents per validation of an incremental table (~400,000 cell rows)
CHECKS_TAG, FULL = "govinfo/checks", "full"


def _bookmarks(path: Path) -> dict[str, str]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _save_bookmark(path: Path, suite: str, through: str) -> None:
    marks = {**_bookmarks(path), suite: through}
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(marks, indent=1), encoding="utf-8")
    os.replace(tmp, path)


def _unvalidated(con, since: str | None) -> tuple[list[list[str]], str, str | None]:
    """The documents an incremental check validates (all when `since` is None), in parts of
    CHUNK_DOCUMENTS; what the check's metadata says of them; the load time they run through."""
    through = con.execute("SELECT max(loaded_at)::VARCHAR FROM raw.documents").fetchall()[0][0]
    ids = [r[0] for r in con.execute(
        "SELECT document_id FROM raw.documents WHERE ?::TIMESTAMP IS NULL OR loaded_at > ?::TIMESTAMP "
        "ORDER BY document_id", [since, since]).fetchall()]
    # a few thousand documents per validation: GX's pandas frames cost ~1 KB a row
    chunks = [ids[i:i + CHUNK_DOCUMENTS] for i in range(0, len(ids), CHUNK_DOCUMENTS)] or [[]]
    docs = f"{len(ids)} document{'' if len(ids) == 1 else 's'}"
    scope = (f"{docs} loaded after {since}" if since else f"all {docs}") + (
        f", in {len(chunks)} validations" if len(chunks) > 1 else "")
    return chunks, scope, through


# what a suite's expected row counts are built from: the reports, and their text's statements compared
SIZES = {
    "n_reports": "SELECT count(*) FROM marts.fct_agency_year",
    "n_statements": "SELECT count(*) FROM staging.stg_raw__prose_statements s "
                    "JOIN marts.fct_agency_year f ON f.document_id = s.document_id WHERE s.compared",
}


WARNINGS = "_warnings"  # the suffix of a suite's non-blocking check (its WARN expectations)
_SEVERITY = {"error": dg.AssetCheckSeverity.ERROR, "warn": dg.AssetCheckSeverity.WARN}


def _specs(key: dg.AssetKey, name: str, build) -> dict[str, dg.AssetCheckSpec]:
    """A suite's checks: its ERROR expectations as a blocking check (the pipeline is broken:
    nothing is built on it), its WARN expectations as a check that never blocks (the published
    reports are wrong), so Dagster labels each as what it is."""
    kinds = build().severities()
    specs = {}
    if "error" in kinds:
        specs["error"] = dg.AssetCheckSpec(name, asset=key, blocking=True, description=(
            f"Great Expectations suite `{build.__name__}`, its {kinds['error']} ERROR expectations: a failure means "
            "the pipeline is broken, and stops what is built on this table"))
    if "warn" in kinds:
        specs["warn"] = dg.AssetCheckSpec(name + WARNINGS, asset=key, blocking=False, description=(
            f"Great Expectations suite `{build.__name__}`, its {kinds['warn']} WARN expectations: the published "
            "reports' own errors or implausible values; never blocks"))
    return specs


def _gx_check(schema: str, table: str, build) -> dg.AssetChecksDefinition:
    sizes = {name: sql for name, sql in SIZES.items() if name in inspect.signature(build).parameters}
    incremental = (schema, table) in INCREMENTAL
    key = dg.AssetKey([schema, table])
    name = f"gx_{schema}_{table}" if schema == "raw" else f"gx_{table}"
    specs = _specs(key, name, build)

    @dg.multi_asset_check(specs=list(specs.values()), name=name, can_subset=False,
                          description=f"Great Expectations suite `{build.__name__}` on {schema}.{table}: one "
                                      "validation, its ERROR and WARN expectations reported as two checks")
    def _check(context: dg.AssetCheckExecutionContext, paths: WarehousePaths):
        bookmarks = paths.layout.gx_validated
        with connect(paths.warehouse_path, read_only=True) as con:
            params = {name: con.execute(sql).fetchall()[0][0] for name, sql in sizes.items()}
            suite = build(**params)
            present = [r[0] for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ? "
                "ORDER BY ordinal_position", [schema, table]).fetchall()]
            wanted = suite.columns() | set(CONTEXT_COLUMNS)  # only what the suite and its report read
            sql = f"SELECT {', '.join(c for c in present if c in wanted)} FROM {schema}.{table}"
            scope, chunks, through = "all rows", [None], None
            if incremental:
                since = None if context.run.tags.get(CHECKS_TAG) == FULL else _bookmarks(bookmarks).get(suite.name)
                chunks, scope, through = _unvalidated(con, since)
        outcomes, rows = [], 0
        for chunk in chunks:
            with connect(paths.warehouse_path, read_only=True) as con:
                frame = (con.sql(sql) if chunk is None else con.sql(
                    f"{sql} WHERE document_id IN (SELECT unnest(?::VARCHAR[]))", params=[chunk])).pl()
            outcomes.append(validate(frame, suite, store=paths.layout.gx_store, run_name=context.run.run_id))
            rows += frame.height
            del frame
        outcome = merge_outcomes(outcomes)
        if incremental and through is not None and outcome.severity != "error":
            _save_bookmark(bookmarks, suite.name, through)  # an ERROR keeps these rows for the next run
        counts = suite.severities()
        for severity, spec in specs.items():
            part = outcome.only(severity, counts.get(severity, 0))
            yield dg.AssetCheckResult(asset_key=key, check_name=spec.name, passed=part.success,
                                      severity=_SEVERITY[severity],
                                      metadata={**_metadata(part, rows, paths.layout), "scope": scope})

    return _check


GX_CHECKS = [_gx_check(schema, table, build) for (schema, table), build in SUITES.items()]
