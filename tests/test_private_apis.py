"""The library internals we lean on, held to what we expect of them: an upgrade that renames
or reshapes one fails here, by name, instead of silently losing what it bought us or failing
mid-run. docs/maintainers.md ("Library internals we use") says why each is used."""
from __future__ import annotations

import inspect
from importlib.metadata import version

import dagster as dg
from dagster_dbt import DbtCliResource
from packaging.version import Version

from orchestration.defs.resources import GovinfoDbtCli
from orchestration.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR


def test_dagster_dbt_is_the_minor_release_the_overrides_were_written_for():
    assert Version(version("dagster-dbt")).release[:2] == (0, 29)


def test_the_dbt_cli_overrides_still_replace_what_they_replace():
    """GovinfoDbtCli skips `dbt --version` in a subprocess (dbt-core#6085: it asks PyPI) and
    the in-process adapter dagster-dbt loads for row counts we never fetch."""
    assert isinstance(inspect.getattr_static(DbtCliResource, "_cli_version"), type(GovinfoDbtCli._cli_version))
    assert list(inspect.signature(DbtCliResource._initialize_dbt_core_adapter).parameters) == ["self", "args"]
    dbt = GovinfoDbtCli(project_dir=str(DBT_PROJECT_DIR), profiles_dir=str(DBT_PROJECT_DIR),
                        dbt_executable=DBT_EXECUTABLE)
    from dbt.version import __version__

    assert dbt._cli_version == Version(__version__)
    assert dbt._initialize_dbt_core_adapter(["build"]) is None


def test_the_event_log_still_frees_a_dead_runs_concurrency_slots():
    """`govinfo run` frees the slots of a run whose process is gone (orchestration.run)."""
    with dg.DagsterInstance.ephemeral() as instance:
        free = instance.event_log_storage.free_concurrency_slots_for_run
        assert list(inspect.signature(free).parameters) == ["run_id"]
        free("no-such-run")  # a run holding no slot: nothing to free, no error
