"""Great Expectations suites (expectations/) as Dagster asset checks.

Each check reads its table from DuckDB read-only into a dataframe and validates it. A
failed suite is a failed check — severity ERROR where the pipeline is broken, WARN where
the published data is wrong — with the failing rows (agency, year, rule, numbers, source
file) in its metadata; it never fails the run.
"""

import dagster as dg

from expectations.suites import SUITES
from expectations.validate import Outcome, validate
from ingestion.warehouse import connect

from .resources import WarehousePaths


def _metadata(outcome: Outcome, rows: int) -> dict:
    failures = [{"expectation": f.expectation, "column": f.column, "severity": f.severity, "why": f.why,
                 "unexpected_count": f.unexpected_count, "error": f.error, "rows": f.rows}
                for f in outcome.failures]
    meta = {"suite": outcome.suite, "rows_validated": rows, "expectations_evaluated": outcome.evaluated,
            "expectations_failed": len(outcome.failures), "failures": dg.MetadataValue.json(failures)}
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
    @dg.asset_check(asset=dg.AssetKey([schema, table]), name=f"gx_{table}",
                    description=f"Great Expectations suite `{build.__name__}` on {schema}.{table}")
    def _check(paths: WarehousePaths) -> dg.AssetCheckResult:
        with connect(paths.warehouse_path, read_only=True) as con:
            frame = con.sql(f"SELECT * FROM {schema}.{table}").pl()
            n_reports = con.execute("SELECT count(*) FROM marts.fct_agency_year").fetchall()[0][0]
        outcome = validate(frame, build(n_reports=n_reports))
        severity = dg.AssetCheckSeverity.WARN if outcome.severity == "warn" else dg.AssetCheckSeverity.ERROR
        return dg.AssetCheckResult(passed=outcome.success, severity=severity,
                                   metadata=_metadata(outcome, frame.height))

    return _check


GX_CHECKS = [_gx_check(schema, table, build) for (schema, table), build in SUITES.items()]
