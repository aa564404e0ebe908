"""The jobs: `build_warehouse` (parse new documents → staging → dbt → checks → publication →
alerts) and `rebuild_marts` (the same without parsing: what the daily schedule runs).

Runs of both carry the tag `govinfo/warehouse_writer`; dagster.yaml's run queue admits one
such run at a time, because DuckDB admits one writer. Inside a run the steps execute
in-process: each step of the multiprocess executor pays ~7 s to start (Dagster, dbt's
manifest, GX), more than the steps after parsing take, and parsing already uses every core
through its worker processes. Parallelism across machines goes through the parse step,
which writes no DuckDB: re-parse backfills (any executor, `dagster asset materialize`,
several runs at once) write the parse store, and the next build loads it.
"""

import dagster as dg

from .alerts import alert_on_failure
from .checks import GX_CHECKS
from .ingestion import parsed_documents

WAREHOUSE_JOB = "build_warehouse"
REBUILD_JOB = "rebuild_marts"
WRITER_TAG = {"govinfo/warehouse_writer": "1"}
EXECUTOR = dg.in_process_executor

build_warehouse = dg.define_asset_job(
    WAREHOUSE_JOB,
    selection=dg.AssetSelection.all() | dg.AssetSelection.checks(*GX_CHECKS),
    executor_def=EXECUTOR,
    tags=WRITER_TAG,
    hooks={alert_on_failure},
    description="Parse the documents of the run's partitions, load staging, build the dbt marts, run every "
                "check, publish the read-only snapshot, alert maintainers.",
)

rebuild_marts = dg.define_asset_job(
    REBUILD_JOB,
    selection=(dg.AssetSelection.all() - dg.AssetSelection.assets(parsed_documents))
    | dg.AssetSelection.checks(*GX_CHECKS),
    executor_def=EXECUTOR,
    tags=WRITER_TAG,
    hooks={alert_on_failure},
    description="Load any parse records not loaded yet, rebuild the marts, run every check, publish, alert.",
)
