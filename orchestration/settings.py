"""Where things are: the repo's dbt project and the default landing folder and warehouse.

GOVINFO_RAW_DIR and GOVINFO_WAREHOUSE configure a deployment: the Dagster resources read
them (`EnvVar`), and so does dbt's profile. Whoever starts the process sets them: `make
dagster-ui` for `dg dev`, the deployment for the daemon, and `govinfo run` through
`configure()`, which it calls before it loads the definitions. Importing this module changes
nothing.
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
    """Set the environment the definitions read (for `govinfo run` and the tests, which start
    the definitions in their own process); explicit arguments win over the environment, and
    the environment over the checkout's defaults."""
    if raw_dir is not None:
        os.environ["GOVINFO_RAW_DIR"] = str(Path(raw_dir).resolve())
    if warehouse is not None:
        os.environ["GOVINFO_WAREHOUSE"] = str(Path(warehouse).resolve())
    os.environ.setdefault("GOVINFO_RAW_DIR", str(DEFAULT_RAW_DIR))
    os.environ.setdefault("GOVINFO_WAREHOUSE", str(DEFAULT_WAREHOUSE))
    # a relative path in the environment would mean different files to dbt (run in its
    # project dir) and to us
    for var in ("GOVINFO_RAW_DIR", "GOVINFO_WAREHOUSE"):
        os.environ[var] = str(Path(os.environ[var]).resolve())
