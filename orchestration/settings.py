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
# dbt installed beside this interpreter (the project's .venv), whether or not it is on PATH
_VENV_DBT = Path(sys.executable).parent / "dbt"
DBT_EXECUTABLE = str(_VENV_DBT) if _VENV_DBT.exists() else (shutil.which("dbt") or "dbt")


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
    # a relative path in the environment would mean different files to dbt (run in its
    # project dir) and to us
    for var in ("GOVINFO_RAW_DIR", "GOVINFO_WAREHOUSE"):
        os.environ[var] = str(Path(os.environ[var]).resolve())
