"""The jobs: `build_warehouse` (parse new documents → staging → dbt → checks → publication →
alerts) and `rebuild_marts` (the same without parsing: what the daily schedule runs).

Runs of both carry the tag `govinfo/warehouse_writer`; dagster.yaml's run queue admits one
such run at a time, because DuckDB admits one writer. Inside a run, steps go in parallel
where they can (multiprocess executor, two processes on a two-core machine): after dbt
every step opens the warehouse read-only. `govinfo run` executes the same jobs in-process.
"""

import dagster as dg

from .checks import GX_CHECKS
from .ingestion import parsed_documents

WAREHOUSE_JOB = "build_warehouse"
REBUILD_JOB = "rebuild_marts"
WRITER_TAG = {"govinfo/warehouse_writer": "1"}
EXECUTOR = dg.multiprocess_executor.configured({"max_concurrent": 2})

build_warehouse = dg.define_asset_job(
    WAREHOUSE_JOB,
    selection=dg.AssetSelection.all() | dg.AssetSelection.checks(*GX_CHECKS),
    executor_def=EXECUTOR,
    tags=WRITER_TAG,
    description="Parse the documents of the run's partitions, load staging, build the dbt marts, run every "
                "check, publish the read-only snapshot, alert maintainers.",
)

rebuild_marts = dg.define_asset_job(
    REBUILD_JOB,
    selection=(dg.AssetSelection.all() - dg.AssetSelection.assets(parsed_documents))
    | dg.AssetSelection.checks(*GX_CHECKS),
    executor_def=EXECUTOR,
    tags=WRITER_TAG,
    description="Load any parse records not loaded yet, rebuild the marts, run every check, publish, alert.",
)
