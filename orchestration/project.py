"""The dbt project as Dagster sees it, and its manifest.

`dbt_project` is built the way dagster's dbt examples build it; under `dg dev` the definitions
call `prepare_if_dev()` and nothing more. Everywhere else the manifest is made on purpose, by
`prepare_manifest()`: `make setup`, `govinfo run` and the tests call it before they load the
definitions, so a model edited since the last parse is never run from a stale manifest. No
module does this on import.
"""
from __future__ import annotations

import fcntl

from dagster_dbt import DbtCliResource, DbtProject

from .settings import DBT_EXECUTABLE, DBT_PROJECT_DIR

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
PROJECT_TARGET = dbt_project.manifest_path.parent  # the manifest, its lock, the kept partial-parse state


def manifest_is_stale() -> bool:
    """True when the manifest is missing or older than any file of the dbt project."""
    if not dbt_project.manifest_path.exists():
        return True
    built = dbt_project.manifest_path.stat().st_mtime
    sources = [DBT_PROJECT_DIR / "dbt_project.yml", DBT_PROJECT_DIR / "profiles.yml"]
    for folder in ("models", "macros", "tests", "seeds", "vendor"):
        sources.extend((DBT_PROJECT_DIR / folder).rglob("*"))
    return any(p.is_file() and p.stat().st_mtime > built for p in sources)


def prepare_manifest() -> None:
    """`dbt parse` when the manifest is stale; under a file lock, because several processes
    (test workers, a code server beside `govinfo run`) may prepare at once and would write the
    same manifest together."""
    if not manifest_is_stale():
        return
    lock_path = PROJECT_TARGET / ".prepare.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if manifest_is_stale():  # checked again: another process may have parsed meanwhile
                _parse()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _parse() -> None:
    """What dagster-dbt's preparer does, with the dbt beside this interpreter (the preparer
    calls `dbt` from PATH, which `dg` and our tests may not have)."""
    DbtCliResource(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE).cli(
        ["parse", "--quiet"], target_path=dbt_project.target_path).wait()


if __name__ == "__main__":  # `python -m orchestration.project`: what `make setup` runs
    prepare_manifest()
    print(f"dbt manifest: {dbt_project.manifest_path}")
