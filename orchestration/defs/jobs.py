"""The warehouse job: ingestion → dbt build → Great Expectations checks, in one process.

DuckDB admits one writer process, so the steps run one after another in-process: the
checks open the file read-only only after dbt has released it.
"""

import dagster as dg

from .checks import GX_CHECKS

WAREHOUSE_JOB = "build_warehouse"

build_warehouse = dg.define_asset_job(
    WAREHOUSE_JOB,
    selection=dg.AssetSelection.all() | dg.AssetSelection.checks(*GX_CHECKS),
    executor_def=dg.in_process_executor,
    description="Parse new reports in the landing folder, build the dbt marts, run every check.",
)
