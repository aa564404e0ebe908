"""ingestion/ is a plain library: the parse path imports no Dagster, dbt or GX."""
import subprocess
import sys


def test_parse_path_imports_no_orchestration_stack(seed_cases):
    path = seed_cases[0][0]
    code = (
        "import sys; from govinfo.cli import main; import io, contextlib\n"
        "buf = io.StringIO()\n"
        f"with contextlib.redirect_stdout(buf): rc = main(['parse', {str(path)!r}])\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('dagster', 'dbt', 'great_expectations', 'dagster_dbt'))\n"
        "print(rc, heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "0 []"


def test_ingestion_modules_do_not_import_dagster():
    code = ("import sys, ingestion.ingest, ingestion.load.normalise, ingestion.load.warehouse, ingestion.parser.parse\n"
            "print([m for m in sys.modules if m.startswith(('dagster', 'dbt', 'great_expectations'))])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
