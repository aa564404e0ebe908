"""Great Expectations suites (expectations/) as Dagster asset checks.

Each check reads its table from DuckDB read-only into a dataframe and validates it in the
GX project beside the warehouse, which keeps every result and updates the Data Docs. A
failed suite is a failed check — severity ERROR where the pipeline is broken, WARN where
the published data is wrong — with the failing rows (agency, year, rule, numbers, source
file) and the Data Docs page in its metadata. Checks are blocking: an ERROR stops what is
built downstream (dbt after broken staging tables; alerts and publication after broken
marts), a WARN does not.
"""

import inspect

import dagster as dg

from expectations.suites import SUITES
from expectations.validate import CONTEXT_COLUMNS, Outcome, validate
from ingestion.warehouse import connect

from .resources import WarehousePaths


def _metadata(outcome: Outcome, rows: int) -> dict:
    failures = [{"expectation": f.expectation, "column": f.column, "severity": f.severity, "why": f.why,
                 "unexpected_count": f.unexpected_count, "error": f.error, "rows": f.rows}
                for f in outcome.failures]
    meta = {"suite": outcome.suite, "rows_validated": rows, "expectations_evaluated": outcome.evaluated,
            "expectations_failed": len(outcome.failures), "failures": dg.MetadataValue.json(failures)}
    if outcome.docs_page:
        meta["data_docs"] = dg.MetadataValue.url(outcome.docs_page)
    if outcome.failures:
        lines = []
        for f in outcome.failures:
            lines.append(f"- **{f.severity}** `{f.expectation}` on `{f.column}`: {f.why} "
                         f"({f.unexpected_count} rows){' — ' + f.error if f.error else ''}")
            for r in f.rows[:10]:
                lines.append("  - " + ", ".join(f"{k}={v}" for k, v in r.items()))
        meta["summary"] = dg.MetadataValue.md("\n".join(lines))
    return meta


def _gx_check(schema: str, table: str, build) -> dg.AssetChecksDefinition:
    needs_reports = "n_reports" in inspect.signature(build).parameters

    @dg.asset_check(asset=dg.AssetKey([schema, table]), name=f"gx_{schema}_{table}" if schema == "raw" else f"gx_{table}",
                    blocking=True, description=f"Great Expectations suite `{build.__name__}` on {schema}.{table}")
    def _check(context: dg.AssetCheckExecutionContext, paths: WarehousePaths) -> dg.AssetCheckResult:
        with connect(paths.warehouse_path, read_only=True) as con:
            params = {"n_reports": con.execute("SELECT count(*) FROM marts.fct_agency_year").fetchall()[0][0]
                      } if needs_reports else {}
            suite = build(**params)
            present = [r[0] for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ? "
                "ORDER BY ordinal_position", [schema, table]).fetchall()]
            wanted = suite.columns() | set(CONTEXT_COLUMNS)  # only what the suite and its report read
            frame = con.sql(f"SELECT {', '.join(c for c in present if c in wanted)} FROM {schema}.{table}").pl()
        outcome = validate(frame, suite, store=paths.layout.gx_store, run_name=context.run.run_id)
        severity = dg.AssetCheckSeverity.WARN if outcome.severity == "warn" else dg.AssetCheckSeverity.ERROR
        return dg.AssetCheckResult(passed=outcome.success, severity=severity,
                                   metadata=_metadata(outcome, frame.height))

    return _check


GX_CHECKS = [_gx_check(schema, table, build) for (schema, table), build in SUITES.items()]
