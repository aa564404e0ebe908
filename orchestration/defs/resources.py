"""Resources: the warehouse/landing paths and the dbt CLI."""

from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource

from ingestion.layout import Layout

from ..settings import DBT_EXECUTABLE, DBT_PROJECT_DIR


class WarehousePaths(dg.ConfigurableResource):
    """The landing folder of raw reports and the DuckDB warehouse file (everything else the
    warehouse keeps lives beside it: ingestion.layout.Layout)."""

    raw_dir: str
    warehouse: str

    @property
    def raw_path(self) -> Path:
        return Path(self.raw_dir)

    @property
    def warehouse_path(self) -> Path:
        return Path(self.warehouse)

    @property
    def layout(self) -> Layout:
        return Layout(self.warehouse_path)


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(resources={
        "paths": WarehousePaths(raw_dir=dg.EnvVar("GOVINFO_RAW_DIR"), warehouse=dg.EnvVar("GOVINFO_WAREHOUSE")),
        "dbt": DbtCliResource(project_dir=str(DBT_PROJECT_DIR), profiles_dir=str(DBT_PROJECT_DIR),
                              dbt_executable=DBT_EXECUTABLE),
    })
