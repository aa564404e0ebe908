"""`govinfo run`: execute the warehouse job in-process and print a closing summary.

The job is the one the Dagster UI shows (orchestration.defs.jobs). With DAGSTER_HOME set,
the run is recorded in that instance and visible in `dagster dev`; otherwise it runs on an
ephemeral instance.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from .settings import REPO_ROOT, configure


def _warehouse_summary(warehouse: Path) -> dict:
    from ingestion.warehouse import connect

    with connect(warehouse, read_only=True) as con:
        def one(sql: str):
            return con.execute(sql).fetchall()[0][0]
        failed = con.execute("""
            SELECT rule, count(*) FROM (
                SELECT rule FROM marts.rec_within_report WHERE NOT passed
                UNION ALL SELECT rule FROM marts.rec_cross_year WHERE NOT passed)
            GROUP BY rule ORDER BY rule""").fetchall()
        return {
            "documents": one("SELECT count(*) FROM raw.documents"),
            "agency_years": one("SELECT count(*) FROM marts.fct_agency_year"),
            "agencies": one("SELECT count(*) FROM marts.dim_agency"),
            "quarantined": one("SELECT count(DISTINCT sha256) FROM raw.quarantine"),
            "failed_rules": failed,
        }


def run_pipeline(raw_dir: Path, warehouse: Path) -> int:
    if not Path(raw_dir).is_dir():
        print(f"govinfo run: landing folder not found: {raw_dir}", file=sys.stderr)
        return 2
    configure(raw_dir, warehouse)
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import dagster as dg

    from .definitions import defs
    from .defs.jobs import WAREHOUSE_JOB

    print(f"govinfo run: landing folder {os.environ['GOVINFO_RAW_DIR']}", flush=True)
    print(f"govinfo run: warehouse {os.environ['GOVINFO_WAREHOUSE']}", flush=True)
    job = defs().resolve_job_def(WAREHOUSE_JOB)
    instance = dg.DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else dg.DagsterInstance.ephemeral()
    result = job.execute_in_process(
        instance=instance, raise_on_error=False,
        run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
        tags={"govinfo/landing_folder": os.environ["GOVINFO_RAW_DIR"]},
    )
    checks = result.get_asset_check_evaluations()
    failed_checks = [c for c in checks if not c.passed]

    print("\n==== govinfo run summary ====")
    print(f"run {result.run_id}: {'succeeded' if result.success else 'FAILED'}")
    if not result.success:
        for event in result.all_events:
            if event.is_step_failure:
                print(f"  step {event.step_key} failed: {event.event_specific_data.error.message.strip()}")
    warehouse_path = Path(os.environ["GOVINFO_WAREHOUSE"])
    if warehouse_path.exists():
        try:
            s = _warehouse_summary(warehouse_path)
        except Exception as exc:  # marts not built: the run failed before dbt
            print(f"warehouse not complete: {exc}")
        else:
            print(f"documents loaded: {s['documents']} ({s['agency_years']} agency-years, {s['agencies']} agencies)")
            print(f"documents rejected (quarantine): {s['quarantined']}")
            n_failed = sum(n for _, n in s["failed_rules"])
            detail = ", ".join(f"{rule} {n}" for rule, n in s["failed_rules"])
            print(f"rule checks failed: {n_failed}{' (' + detail + ')' if detail else ''}")
    print(f"asset checks: {len(checks)} evaluated, {len(failed_checks)} failed"
          + (": " + ", ".join(f"{c.check_name} ({c.severity.value})" for c in failed_checks) if failed_checks else ""))
    print(f"warehouse: {warehouse_path}")
    print(f"  query it: .venv/bin/python -c \"import duckdb; duckdb.connect('{warehouse_path}', read_only=True)"
          f".sql('select * from marts.fct_agency_year').show()\"")
    print(f"Dagster UI: cd {REPO_ROOT} && GOVINFO_RAW_DIR={os.environ['GOVINFO_RAW_DIR']} "
          f"GOVINFO_WAREHOUSE={warehouse_path} .venv/bin/dagster dev -w workspace.yaml")
    return 0 if result.success else 1
