"""Operating the pipeline as a data engineer does: the landing sensor adds one partition per
document and requests runs over them, never twice; the same file under two names or a
rerun changes nothing; a backfill re-parses a subset; the schedule rebuilds; the instance
runs on PostgreSQL and the multiprocess executor (the CLI a deployment uses)."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from corpus.render import Style, render
from corpus.truth import series

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow  # `make test-fast` leaves these out


def _write_reports(raw: Path, rng, n: int, start: int = 0) -> list[Path]:
    raw.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(start, start + n):
        report = series(rng, [2022])[0]
        path = raw / f"r{i:03d}.txt"
        path.write_text(render(report, Style("cells"), rng), encoding="utf-8")
        out.append(path)
    return out


def _settled(paths: list[Path]) -> None:
    """Files whose copy finished a minute ago (the sensor leaves fresher ones for a later tick)."""
    for path in paths:
        st = path.stat()
        os.utime(path, (st.st_atime - 60, st.st_mtime - 60))


def _sensor(raw: Path, db: Path, instance):
    from orchestration.defs.automation import landing_sensor
    from orchestration.defs.resources import WarehousePaths

    ctx = dg.build_sensor_context(instance=instance, resources={
        "paths": WarehousePaths(raw_dir=str(raw), warehouse=str(db))})
    return landing_sensor(ctx)


def test_landing_sensor_requests_each_document_once(tmp_path, rng, monkeypatch):
    from orchestration.definitions import defs
    from orchestration.defs.automation import RANGE_END, RANGE_START
    from orchestration.defs.jobs import WAREHOUSE_JOB

    raw, db = tmp_path / "raw", tmp_path / "wh" / "govinfo.duckdb"
    monkeypatch.setenv("GOVINFO_RAW_DIR", str(raw))
    monkeypatch.setenv("GOVINFO_WAREHOUSE", str(db))
    written = _write_reports(raw, rng, 3)
    instance = dg.DagsterInstance.ephemeral()

    copying = _sensor(raw, db, instance)  # just written: a copy may still be in progress
    assert not copying.run_requests and "3 still being written" in copying.skip_reason.skip_message
    _settled(written)
    first = _sensor(raw, db, instance)
    [request] = first.run_requests
    [add] = first.dynamic_partitions_requests
    assert len(add.partition_keys) == 3 and request.job_name == WAREHOUSE_JOB
    # the UI's partition search finds each by its file name
    assert sorted(k.split("~")[0] for k in add.partition_keys) == ["r000.txt", "r001.txt", "r002.txt"]
    assert request.tags["govinfo/documents"] == "3" and "r000.txt" in request.tags["govinfo/files"]
    instance.add_dynamic_partitions("documents", add.partition_keys)  # what the daemon does
    result = defs().resolve_job_def(WAREHOUSE_JOB).execute_in_process(
        instance=instance, tags={k: v for k, v in request.tags.items() if k.startswith(("dagster/", "govinfo/"))},
        raise_on_error=False)
    assert result.success
    assert {RANGE_START, RANGE_END} <= set(request.tags)
    parsed = [e for e in result.get_asset_materialization_events() if e.asset_key.path[-1] == "parsed_documents"]
    assert sorted(e.partition for e in parsed) == sorted(add.partition_keys)

    # nothing new, the same bytes under another name, then one new file: exactly one new partition
    assert not _sensor(raw, db, instance).run_requests
    shutil.copy(raw / "r000.txt", raw / "copy_of_r000.txt")
    _settled([raw / "copy_of_r000.txt"])
    assert not _sensor(raw, db, instance).run_requests
    _settled(_write_reports(raw, rng, 1, start=3))
    third = _sensor(raw, db, instance)
    assert len(third.run_requests) == 1 and len(third.dynamic_partitions_requests[0].partition_keys) == 1
    assert third.run_requests[0].run_key != request.run_key
    assert third.run_requests[0].tags["govinfo/files"] == "r003.txt"


def test_backfill_reparses_a_subset_and_the_rebuild_loads_only_it(tmp_path, rng, monkeypatch):
    from orchestration.definitions import defs
    from orchestration.defs.ingestion import parsed_documents
    from orchestration.defs.jobs import REBUILD_JOB
    from orchestration.run import execute

    raw, db = tmp_path / "raw", tmp_path / "wh" / "govinfo.duckdb"
    _write_reports(raw, rng, 4)
    instance = dg.DagsterInstance.ephemeral()
    assert execute(raw, db, instance=instance, log_level="WARNING", echo=lambda _: None).success
    with duckdb.connect(str(db), read_only=True) as con:
        before = con.execute("SELECT * EXCLUDE (loaded_at, batch_id) FROM raw.documents "
                             "ORDER BY document_id").fetchall()
    key = instance.get_dynamic_partitions("documents")[1]
    d = defs()
    backfill = d.resolve_job_def("build_warehouse").execute_in_process(
        instance=instance, partition_key=key, asset_selection=[parsed_documents.key])
    assert backfill.success
    rebuild = d.resolve_job_def(REBUILD_JOB).execute_in_process(instance=instance)
    assert rebuild.success
    loaded = next(e for e in rebuild.get_asset_materialization_events() if e.asset_key.path == ["raw", "documents"])
    assert loaded.materialization.metadata["loaded_this_run"].value == 1  # only the re-parsed document
    with duckdb.connect(str(db), read_only=True) as con:
        after = con.execute("SELECT * EXCLUDE (loaded_at, batch_id) FROM raw.documents "
                            "ORDER BY document_id").fetchall()
        # the re-parsed document now belongs to the import batch that loaded it again
        assert con.execute("SELECT count(*) FROM raw.documents WHERE batch_id = ?", [rebuild.run_id]).fetchall() == [(1,)]
    assert after == before


def test_daily_schedule_rebuilds_the_marts():
    from orchestration.defs.automation import daily_rebuild

    assert daily_rebuild.job_name == "rebuild_marts" and daily_rebuild.execution_timezone == "Asia/Shanghai"
    request = daily_rebuild.evaluate_tick(dg.build_schedule_context()).run_requests[0]
    assert request.tags["govinfo/trigger"] == "daily_rebuild"


@pytest.fixture(scope="module")
def postgres_env():
    """The PostgreSQL the instance uses: from GOVINFO_PG_* (CI starts it), else the local
    Debian cluster started by deploy/postgres/start-local.sh."""
    keys = ("GOVINFO_PG_HOST", "GOVINFO_PG_PORT", "GOVINFO_PG_USER", "GOVINFO_PG_PASSWORD", "GOVINFO_PG_DB")
    if not all(os.environ.get(k) for k in keys):
        if not shutil.which("pg_lsclusters"):
            pytest.fail("PostgreSQL is not installed: apt-get install postgresql (see .ci/run)")
        out = subprocess.run(["bash", str(REPO / "deploy/postgres/start-local.sh")], capture_output=True, text=True,
                             check=True).stdout
        return dict(kv.split("=", 1) for kv in out.split()[1:])
    return {k: os.environ[k] for k in keys}


def test_postgres_instance_with_the_cli_and_multiprocess_executor(tmp_path, rng, postgres_env):
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(REPO / "deploy/postgres/dagster.yaml", home / "dagster.yaml")
    raw, db = tmp_path / "raw", tmp_path / "wh" / "govinfo.duckdb"
    _write_reports(raw, rng, 3)
    env = {**os.environ, **postgres_env, "DAGSTER_HOME": str(home), "GOVINFO_RAW_DIR": str(raw),
           "GOVINFO_WAREHOUSE": str(db)}
    bin_dir = Path(sys.executable).parent
    run = subprocess.run([str(bin_dir / "govinfo"), "run", "--raw", str(raw), "--warehouse", str(db)],
                         env=env, capture_output=True, text=True, cwd=REPO)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    # a re-parse through the CLI on the default multiprocess executor (each step a process)
    key = json.loads(subprocess.run([sys.executable, "-c", """
import json, dagster as dg
with dg.DagsterInstance.get() as inst:
    print(json.dumps(inst.get_dynamic_partitions("documents")[0]))
"""], env=env, capture_output=True, text=True, cwd=REPO, check=True).stdout)
    cli = subprocess.run([str(bin_dir / "dagster"), "asset", "materialize", "-m", "orchestration.definitions",
                          "--select", "ingestion/parsed_documents", "--partition", key],
                         env=env, capture_output=True, text=True, cwd=REPO)
    assert cli.returncode == 0, cli.stdout[-3000:] + cli.stderr[-3000:]
    assert "multiprocess" in cli.stdout + cli.stderr
    probe = subprocess.run([sys.executable, "-c", """
import json, dagster as dg
from dagster import DagsterRunStatus
with dg.DagsterInstance.get() as inst:
    runs = inst.get_runs()
    print(json.dumps({"storage": type(inst.run_storage).__name__,
                      "runs": sorted((r.job_name, r.status.value) for r in runs),
                      "partitions": inst.get_dynamic_partitions("documents")}))
"""], env=env, capture_output=True, text=True, cwd=REPO, check=True)
    seen = json.loads(probe.stdout.strip().splitlines()[-1])
    assert seen["storage"] == "PostgresRunStorage"
    assert ["build_warehouse", "SUCCESS"] in seen["runs"] and ["__ASSET_JOB", "SUCCESS"] in seen["runs"]
    from ingestion.load.landing import sha256_of
    from orchestration.partition_keys import key_hash

    # the database may serve other instances' runs too: the same bytes keep the key first given
    assert {sha256_of(p)[:16] for p in raw.iterdir()} <= {key_hash(k) for k in seen["partitions"]}
    with duckdb.connect(str(db.parent / "published" / "govinfo.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM marts.fct_agency_year").fetchall()[0][0] == 3


def test_a_run_is_alive_only_while_its_own_process_is():
    """A crashed run's slots are freed when its process is gone. The pid alone cannot say: it
    is reused. Its start time, kept in the run's tags, names the process."""
    from orchestration.run import alive, started

    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        when = started(sleeper.pid)
        assert when and alive(sleeper.pid, when)
        assert not alive(sleeper.pid, str(int(when) + 1))  # the same pid, another process
    finally:
        sleeper.kill()
        sleeper.wait()
    assert started(sleeper.pid) is None and not alive(sleeper.pid, when)


def test_a_sensor_started_from_the_cli_is_the_one_dg_dev_shows(tmp_path):
    """`dg dev` names the code location by pyproject's [tool.dg.project] code_location_name
    (else by the checkout folder); the documented CLI command loads workspace.yaml. A sensor
    started by the command is kept under its location's name: the two names must agree, or
    the UI shows the sensor stopped after the CLI said "started"."""
    import tomllib

    dg_name = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["dg"]["project"].get(
        "code_location_name", REPO.name)
    home = tmp_path / "dagster"
    home.mkdir()
    shutil.copy(REPO / "deploy" / "local" / "dagster.yaml", home / "dagster.yaml")
    env = {**os.environ, "DAGSTER_HOME": str(home), "GOVINFO_RAW_DIR": str(tmp_path / "raw"),
           "GOVINFO_WAREHOUSE": str(tmp_path / "w" / "govinfo.duckdb")}
    started = subprocess.run([str(Path(sys.executable).parent / "dagster"), "sensor", "start", "landing_sensor",
                              "-w", "workspace.yaml"], env=env, capture_output=True, text=True, cwd=REPO, timeout=300)
    assert started.returncode == 0 and "Started sensor landing_sensor" in started.stdout, started.stderr[-2000:]
    assert "does not match" not in started.stdout + started.stderr
    with dg.DagsterInstance.from_config(str(home)) as instance:
        kept = {(s.instigator_name, s.origin.repository_origin.code_location_origin.location_name)
                for s in instance.all_instigator_state()}
    assert kept == {("landing_sensor", dg_name)}
