"""Where things are: the repo's dbt project and the default landing folder and warehouse.

GOVINFO_RAW_DIR and GOVINFO_WAREHOUSE configure a deployment; the defaults serve a
checkout (`dagster dev` on the bundled sample). Set here once, before any definitions load,
so the Dagster resources and dbt's profile (which reads GOVINFO_WAREHOUSE) agree.
"""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
DEFAULT_RAW_DIR = REPO_ROOT / "samples" / "raw"
DEFAULT_WAREHOUSE = REPO_ROOT / "warehouse" / "govinfo.duckdb"


def _find_dbt() -> str:
    """dbt beside this interpreter, else in the repo's .venv, else on PATH: `dg` and
    `dagster dev` may start the code location without the venv's bin on PATH."""
    for candidate in (Path(sys.executable).parent / "dbt", REPO_ROOT / ".venv" / "bin" / "dbt"):
        if candidate.exists():
            return str(candidate)
    return shutil.which("dbt") or "dbt"


DBT_EXECUTABLE = _find_dbt()


def configure(raw_dir: Path | None = None, warehouse: Path | None = None) -> None:
    """Set the environment the definitions read; explicit arguments win over the environment."""
    if raw_dir is not None:
        os.environ["GOVINFO_RAW_DIR"] = str(Path(raw_dir).resolve())
    if warehouse is not None:
        os.environ["GOVINFO_WAREHOUSE"] = str(Path(warehouse).resolve())
    os.environ.setdefault("DBT_USE_COLORS", "false")  # dbt's log lines go to our logs, not a terminal
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    os.environ.setdefault("GOVINFO_RAW_DIR", str(DEFAULT_RAW_DIR))
    os.environ.setdefault("GOVINFO_WAREHOUSE", str(DEFAULT_WAREHOUSE))
    # dagster-dbt's project preparer (`dbt parse` under `dagster dev` / `dg check`) calls
    # plain `dbt`: make the venv's dbt the one on PATH
    dbt_dir = str(Path(DBT_EXECUTABLE).parent)
    if Path(DBT_EXECUTABLE).is_absolute() and dbt_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = dbt_dir + os.pathsep + os.environ.get("PATH", "")
    # a relative path in the environment would mean different files to dbt (run in its
    # project dir) and to us
    for var in ("GOVINFO_RAW_DIR", "GOVINFO_WAREHOUSE"):
        os.environ[var] = str(Path(os.environ[var]).resolve())


configure()  # defaults for whoever imports the definitions first (dagster dev, dg, tests)
