"""Snapshot of the Dagster definitions: asset keys, groups, deps, checks and jobs.

A change to the graph shows up in review as a change to tests/snapshots/definitions.json.
Refresh it with: UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/test_definitions.py
"""
import json
import os
from pathlib import Path

SNAPSHOT = Path(__file__).parent / "snapshots" / "definitions.json"


def _describe() -> dict:
    from orchestration.definitions import defs

    d = defs()
    repo = d.get_repository_def()
    assets = {
        spec.key.to_user_string(): {"group": spec.group_name,
                                    "deps": sorted(dep.asset_key.to_user_string() for dep in spec.deps)}
        for spec in d.resolve_all_asset_specs()
    }
    checks = sorted(f"{key.asset_key.to_user_string()}:{key.name}" for key in repo.asset_graph.asset_check_keys)
    jobs = sorted(j.name for j in repo.get_all_jobs() if not j.name.startswith("__"))
    partitioned = sorted(spec.key.to_user_string() for spec in d.resolve_all_asset_specs() if spec.partitions_def)
    sensors = sorted(f"{s.name}->{'RUN_STATUS' if s.sensor_type.value == 'RUN_STATUS' else s.job_name}"
                     for s in repo.sensor_defs)
    schedules = sorted(f"{s.name}->{s.job_name}@{s.cron_schedule}" for s in repo.schedule_defs)
    return {"assets": dict(sorted(assets.items())), "checks": checks, "jobs": jobs, "partitioned": partitioned,
            "sensors": sensors, "schedules": schedules}


def test_definitions_match_snapshot():
    current = _describe()
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(json.dumps(current, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    assert current == json.loads(SNAPSHOT.read_text(encoding="utf-8"))


def test_every_mart_has_a_gx_check_and_dbt_lineage():
    current = _describe()
    for mart in ("dim_agency", "fct_agency_year", "rec_within_report", "rec_cross_year"):
        assert f"marts/{mart}:gx_{mart}" in current["checks"]
    assert "raw/report_cells" in current["assets"]["staging/stg_raw__report_cells"]["deps"]
    assert current["jobs"] == ["build_warehouse", "rebuild_marts"]
    assert current["partitioned"] == ["ingestion/parsed_documents"]
    assert current["sensors"] == ["alert_on_run_failure->RUN_STATUS", "landing_sensor->build_warehouse"]
    assert current["schedules"] == ["daily_rebuild->rebuild_marts@0 3 * * *"]
    assert "ingestion/parsed_documents" in current["assets"]["raw/documents"]["deps"]


def test_gx_error_checks_block_and_warning_checks_never_do():
    """Dagster labels a blocking check "blocking" whatever its result: a suite's WARN
    expectations are a check of their own that does not block."""
    from orchestration.definitions import defs

    graph = defs().get_repository_def().asset_graph
    gx = {key.name: graph.get_check_spec(key) for key in graph.asset_check_keys if key.name.startswith("gx_")}
    assert gx and all(spec.blocking == (not name.endswith("_warnings")) for name, spec in gx.items())
    assert {"gx_rec_within_report", "gx_rec_within_report_warnings"} <= set(gx)
