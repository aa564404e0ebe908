"""Resources: the warehouse/landing paths and the dbt CLI."""

from functools import cached_property
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource
from packaging import version

from ingestion.load.layout import Layout

from ..settings import DBT_EXECUTABLE, DBT_PROJECT_DIR


class WarehousePaths(dg.ConfigurableResource):
    """The landing folder of raw reports and the DuckDB warehouse file (everything else the
    warehouse keeps lives beside it: ingestion.load.layout.Layout)."""

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


class GovinfoDbtCli(DbtCliResource):
    """dagster-dbt's dbt CLI resource without two start-up costs of every `dbt build` that we
    do not need (~4 s of a one-document run, measured): asking the executable for its version
    in a subprocess (`dbt --version`, ~2.4 s: ours is the dbt-core installed beside this
    interpreter) and loading a dbt adapter in-process (~1.5 s: dagster-dbt uses it only for
    `fetch_row_counts` / `fetch_column_metadata`, which our assets do not call)."""

    @cached_property
    def _cli_version(self) -> version.Version:
        from dbt.version import __version__

        return version.parse(__version__)

    def _initialize_dbt_core_adapter(self, args):  # noqa: ARG002 - dagster-dbt accepts None
        return None


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(resources={
        "paths": WarehousePaths(raw_dir=dg.EnvVar("GOVINFO_RAW_DIR"), warehouse=dg.EnvVar("GOVINFO_WAREHOUSE")),
        "dbt": GovinfoDbtCli(project_dir=str(DBT_PROJECT_DIR), profiles_dir=str(DBT_PROJECT_DIR),
                              dbt_executable=DBT_EXECUTABLE),
    })
