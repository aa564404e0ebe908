"""`govinfo run`: execute the warehouse job in-process and print a closing summary.

The job is the one the Dagster UI shows (orchestration.defs.jobs). The run is recorded in
a Dagster instance: DAGSTER_HOME when set, else `dagster/` beside the warehouse (SQLite), the
one `make dagster-ui` opens, so the UI shows every run, partition and check result.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import socket
import sys
import time
from pathlib import Path

from .settings import REPO_ROOT, configure

PID_TAG, HOST_TAG = "govinfo/pid", "govinfo/host"  # the process a `govinfo run` run lives in
STARTED_TAG = "govinfo/process_started"  # its start time (clock ticks after boot): a pid alone is reused


def _warehouse_summary(warehouse: Path) -> dict:
    from ingestion.load.warehouse import connect
    from publishing.counts import failed_rules, rejected_documents

    with connect(warehouse, read_only=True) as con:
        def one(sql: str):
            return con.execute(sql).fetchall()[0][0]
        failed = failed_rules(con)
        extraction = dict(con.execute("""
            SELECT extraction_status, count(*) FROM marts.fct_agency_year GROUP BY 1""").fetchall())
        return {
            "extraction": extraction,
            "unchecked_rules": sum(n for _, n in failed_rules(con, "extraction")),
            "documents": one("SELECT count(*) FROM raw.documents"),
            "agency_years": one("SELECT count(*) FROM marts.fct_agency_year"),
            "agencies": one("SELECT count(*) FROM marts.dim_agency"),
            "quarantined": rejected_documents(con),
            "failed_rules": failed,
        }


def _blocks(new: list[str], ordered: list[str]) -> list[list[str]]:
    """The new partition keys as contiguous blocks of the instance's partition order (a run
    covers a range of partitions)."""
    wanted, blocks = set(new), []
    for key in ordered:
        if key in wanted:
            if blocks and blocks[-1][-1] == prev:
                blocks[-1].append(key)
            else:
                blocks.append([key])
        prev = key
    return blocks


def execute(raw_dir: Path, warehouse: Path, instance=None, log_level: str = "INFO", echo=print):
    """Run the warehouse jobs in-process on a landing folder: scan it, add a partition for
    every document without a current parse record, run `build_warehouse` over them (one run
    per contiguous block of partitions; the last one builds everything), or `rebuild_marts`
    when nothing is new. Returns the last run's result. Used by `govinfo run` and the tests."""
    configure(raw_dir, warehouse)
    from .project import prepare_manifest

    prepare_manifest()  # before the definitions load: they read the dbt manifest
    import dagster as dg

    from ingestion.ingest import unparsed
    from ingestion.load.landing import LandingIndex
    from ingestion.load.layout import Layout
    from ingestion.load.parse_store import ParseStore

    from .definitions import defs
    from .defs.automation import range_tags
    from .defs.ingestion import DOCUMENTS, parsed_documents
    from .defs.jobs import REBUILD_JOB, WAREHOUSE_JOB
    from .partition_keys import document_keys

    raw, layout = Path(os.environ["GOVINFO_RAW_DIR"]), Layout(Path(os.environ["GOVINFO_WAREHOUSE"]))
    with LandingIndex(layout.landing_index, layout.objects) as index:
        scan = index.scan(raw)
        names_of = unparsed(index, ParseStore(layout.parse_store), layout.objects)
    new = sorted(names_of)
    echo(f"govinfo run: {scan.files} files, {len(scan.by_sha)} documents, {len(new)} to parse"
         + (f", {len(scan.problems)} files not taken (listed in the quarantine)" if scan.problems else ""))
    for name, why in scan.new_problems.items():
        echo(f"  not taken: {name}: {why}")

    definitions = defs()
    if instance is None:
        instance = dg.DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else dg.DagsterInstance.ephemeral()
    known = instance.get_dynamic_partitions(DOCUMENTS.name)
    keys = document_keys(known, names_of)
    for sha in set(new) - keys.keys():
        echo(f"  not taken: {names_of[sha][0]}: its sha256 starts as another document's: no partition")
    instance.add_dynamic_partitions(DOCUMENTS.name, sorted(set(keys.values()) - set(known)))
    blocks = _blocks(list(keys.values()), instance.get_dynamic_partitions(DOCUMENTS.name))
    names = {key: sorted(names_of[sha]) for sha, key in keys.items()}
    run_config = {"loggers": {"console": {"config": {"log_level": log_level}}}}
    base_tags = {"govinfo/landing_folder": str(raw), "govinfo/trigger": "govinfo run", **process_tags()}

    def tags_for(block: list[str]) -> dict[str, str]:
        return {**base_tags, **range_tags(block, names, base_tags["govinfo/trigger"])}

    build = definitions.resolve_job_def(WAREHOUSE_JOB)
    for block in blocks[:-1]:  # earlier blocks: parse only; the last run builds everything once
        build.execute_in_process(instance=instance, raise_on_error=False, run_config=run_config,
                                 tags=tags_for(block), asset_selection=[parsed_documents.key])
    if blocks:
        return build.execute_in_process(instance=instance, raise_on_error=False, run_config=run_config,
                                        tags=tags_for(blocks[-1]))
    return definitions.resolve_job_def(REBUILD_JOB).execute_in_process(
        instance=instance, raise_on_error=False, run_config=run_config, tags=base_tags)


def _publication(snapshot: Path) -> str:
    """Which run the published snapshot is from, in words."""
    import duckdb

    from publishing.snapshot import publication

    try:
        with duckdb.connect(str(snapshot), read_only=True) as con:
            found = publication(con)
    except duckdb.Error:
        found = None
    if found is None:
        return "an earlier run's snapshot"
    at, run_id = found
    return f"run {run_id}'s snapshot, published {at:%Y-%m-%d %H:%M} UTC"


def _cause(error) -> str:
    """What made a step fail, not the wrapper Dagster puts around it: the innermost cause of
    the error (an OSError "No space left on device" under "Error occurred while executing
    op …"), with our own Failure's full description."""
    while getattr(error, "cause", None) is not None:
        error = error.cause
    return error.message.strip()


def _failing_rows(check) -> list[str]:
    """What a failed GX check names: each failing expectation's rows (document, file, value)."""
    failures = check.metadata.get("failures")
    out = []
    for f in (failures.value if failures is not None else []) or []:
        for row in f.get("rows", [])[:3]:
            out.append(f"{f.get('expectation')} on {f.get('column')}: " + ", ".join(f"{k}={v}" for k, v in row.items()))
    return out


def _kept_out(result) -> list[tuple[str, str]]:
    """Documents the load kept out this run (rejected, a hard limit broken, dropped)."""
    for event in result.get_asset_materialization_events():
        mat = event.event_specific_data.materialization
        if mat.asset_key.path == ["raw", "quarantine"] and "kept_out" in mat.metadata:
            pairs = [line[2:].split(": ", 1) for line in mat.metadata["kept_out"].value.splitlines() if ": " in line]
            return [(name.strip("`"), why) for name, why in pairs]
    return []


def process_tags() -> dict[str, str]:
    """Which process runs a `govinfo run`: a later one can tell that it died (kill -9)."""
    return {PID_TAG: str(os.getpid()), HOST_TAG: socket.gethostname(), STARTED_TAG: started(os.getpid()) or ""}


def started(pid: int) -> str | None:
    """When a process started (field 22 of /proc/PID/stat, after its name, which may hold
    spaces and parentheses), or None when there is no such process: a pid and its start
    time name one process, where a pid alone may have been given to another since."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


def alive(pid: int, when: str) -> bool:
    """Is the process that started at `when` with this pid still running? (A run recorded
    before start times were kept, without `when`: while a govinfo process holds its pid.)"""
    now = started(pid)
    if now is None:
        return False
    if when:
        return now == when
    try:
        return b"govinfo" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def recover_crashed_runs(instance, echo=print) -> int:
    """Runs of `govinfo run` on this machine whose process is gone (killed, the machine
    restarted) still hold their concurrency slots (the parse pool): the next run would wait for
    them forever. Mark them failed and free their slots. Runs of other hosts are left alone."""
    import dagster as dg

    live = (dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.NOT_STARTED)
    host, recovered = socket.gethostname(), 0
    for run in instance.get_runs(filters=dg.RunsFilter(statuses=list(live), tags={HOST_TAG: host})):
        pid = run.tags.get(PID_TAG)
        if not pid or alive(int(pid), run.tags.get(STARTED_TAG, "")):
            continue
        instance.report_run_failed(run, message=f"its process ({pid}) is gone: marked failed by a later govinfo run")
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        echo(f"govinfo run: run {run.run_id} of a process that is gone ({pid}) marked failed, its slots freed")
        recovered += 1
    return recovered


def _instance(layout):
    """The instance the run is recorded in: DAGSTER_HOME's, else one beside the warehouse
    (made on first use with deploy/local/dagster.yaml), which `make dagster-ui` opens."""
    import dagster as dg

    home = layout.dagster_home
    ours = os.environ.get("DAGSTER_HOME", "") in ("", str(home))
    if ours:
        home.mkdir(parents=True, exist_ok=True)
        if not (home / "dagster.yaml").exists():
            shutil.copy(REPO_ROOT / "deploy" / "local" / "dagster.yaml", home / "dagster.yaml")
        os.environ["DAGSTER_HOME"] = str(home)
    try:
        instance = dg.DagsterInstance.get()
        instance.get_runs(limit=1)  # opens the run storage: a corrupt one fails here, not mid-run
        return instance
    except Exception as exc:
        if not ours or not _corrupt(exc):
            raise
    # the instance beside the warehouse holds run history and partition keys only (the scan
    # adds the keys again): set it aside, kept for a look, and start a new one
    aside = home.with_name(f"{home.name}.corrupt-{time.strftime('%Y%m%dT%H%M%S')}")
    home.rename(aside)
    print(f"govinfo run: the Dagster instance {home} is corrupt (a database in it is not one): moved to {aside.name}; "
          "a new one records this run (the warehouse's data is not in it)", flush=True)
    return _instance(layout)


def _in_chain(exc: BaseException | None, found) -> BaseException | None:
    """The first exception in `exc`'s chain (its causes and contexts) that `found` accepts."""
    while exc is not None:
        if found(exc):
            return exc
        exc = exc.__cause__ or exc.__context__
    return None


def _storage_failure(exc: BaseException) -> BaseException | None:
    """The file-system or SQLite I/O error under an exception (a disk full, a read-only
    folder: "disk I/O error"), or None for anything else (a bug: its traceback stands)."""
    import sqlite3

    return _in_chain(exc, lambda e: isinstance(e, (OSError, sqlite3.OperationalError)))


def _corrupt(exc: BaseException) -> bool:
    """Is a "file is not a database" (or another SQLite corruption) somewhere in the chain?"""
    import sqlite3

    return _in_chain(exc, lambda e: isinstance(e, sqlite3.DatabaseError)
                     and not isinstance(e, sqlite3.OperationalError)) is not None


def run_pipeline(raw_dir: Path, warehouse: Path, verbose: bool = False) -> int:
    if not Path(raw_dir).is_dir():
        why = ("is a file, not a folder: give the folder it is in (every file below it is read)"
               if Path(raw_dir).exists() else "not found")
        print(f"govinfo run: landing folder {raw_dir} {why}", file=sys.stderr)
        return 2
    from ingestion.load.layout import Layout
    from ingestion.load.warehouse import WarehouseUnavailable, connect, run_lock

    configure(raw_dir, warehouse)
    layout = Layout(Path(os.environ["GOVINFO_WAREHOUSE"]))
    say = lambda m: print(f"govinfo run: {m}", flush=True)  # noqa: E731
    held = contextlib.ExitStack()
    try:  # one run at a time; fail fast, in one line, on a warehouse we cannot write (locked, read-only)
        held.enter_context(run_lock(layout.warehouse, say=say))
        with connect(layout.warehouse, say=say):
            pass
    except (WarehouseUnavailable, OSError) as exc:
        held.close()
        print(f"govinfo run: {exc}", file=sys.stderr)
        return 2
    with held:
        try:
            return _run_and_summarise(raw_dir, warehouse, layout, verbose)
        except Exception as exc:  # the warehouse's disk full or read-only, before or after the run's steps
            cause = _storage_failure(exc)
            if cause is None:
                raise
            print(f"govinfo run: stopped: {type(cause).__name__}: {cause} (nothing new was published; what was "
                  "loaded is kept: free space or fix the folder, then run again)", file=sys.stderr)
            return 2


def _run_and_summarise(raw_dir: Path, warehouse: Path, layout, verbose: bool = False) -> int:
    print(f"govinfo run: landing folder {os.environ['GOVINFO_RAW_DIR']}", flush=True)
    print(f"govinfo run: warehouse {layout.warehouse}", flush=True)
    instance = _instance(layout)
    print(f"govinfo run: Dagster instance {os.environ['DAGSTER_HOME']}", flush=True)
    recover_crashed_runs(instance, echo=lambda m: print(m, flush=True))
    terminal = sys.stdout
    try:
        with _steps_output(layout, verbose) as kept:
            result = execute(raw_dir, warehouse, instance=instance, echo=lambda m: print(m, file=terminal, flush=True))
    finally:
        instance.dispose()
    warehouse_path = Path(os.environ["GOVINFO_WAREHOUSE"])
    print("\n==== govinfo run summary ====")
    _say_outcome(result)
    if warehouse_path.exists():
        _say_counts(result, warehouse_path)
    _say_steps_and_checks(result)
    _say_where(result, layout, warehouse_path)
    if kept is not None:
        print(f"dbt's lines of this run: {kept} (govinfo run -v prints them)")
    return 0 if result.success else 1


@contextlib.contextmanager
def _steps_output(layout, verbose: bool):
    """What the steps print (dbt's line per model and test, ~300 lines for the sample) goes
    to a file beside the warehouse, named in the summary; `-v` leaves it on the terminal.
    Dagster's own progress lines go to stderr and stay."""
    if verbose:
        yield None
        return
    folder = layout.dbt_logs
    folder.mkdir(parents=True, exist_ok=True)
    kept = folder / f"run-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.log"
    with open(kept, "w", encoding="utf-8") as out, contextlib.redirect_stdout(out):
        yield kept
    layout.keep_newest_logs("run-*.log")


def _say_outcome(result) -> None:
    """Whether the run succeeded, and each failed step's root cause."""
    print(f"run {result.run_id}: {'succeeded' if result.success else 'FAILED'}")
    if not result.success:
        for event in result.all_events:
            if event.is_step_failure:
                message = _cause(event.event_specific_data.error).replace("\n", "\n    ")
                print(f"  step {event.step_key} failed: {message}")


def _say_counts(result, warehouse_path: Path) -> None:
    """Documents, rejections, rule findings and extraction certainty, from the warehouse
    (never as loaded by a failed run)."""
    try:
        s = _warehouse_summary(warehouse_path)
    except Exception as exc:  # marts not built: the run failed before dbt
        print(f"warehouse not complete: {str(exc).splitlines()[0]}")
        return
    if not result.success:
        print(f"this run FAILED: nothing new was published (published/ keeps the last successful "
              f"run's snapshot); the warehouse's staging holds {s['documents']} documents")
    else:
        print(f"documents loaded: {s['documents']} ({s['agency_years']} agency-years, "
              f"{s['agencies']} agencies)")
    print(f"documents rejected (quarantine): {s['quarantined']}")
    n_failed = sum(n for _, n in s["failed_rules"])
    detail = ", ".join(f"{rule} {n}" for rule, n in s["failed_rules"])
    print(f"rule checks failed: {n_failed}{' (' + detail + ')' if detail else ''}")
    ex = s["extraction"]
    print(f"extraction: {ex.get('exact', 0)} exact, {ex.get('verified', 0)} verified by their arithmetic, "
          f"{ex.get('uncertain', 0)} with uncertain cells (left blank; {s['unchecked_rules']} rule checks "
          "on them not counted against the agency)")


def _say_steps_and_checks(result) -> None:
    """Step times, asset checks (a blocking one with the rows it found) and what was kept out."""
    evaluations = result.get_asset_check_evaluations()
    print("step times: " + ", ".join(f"{k} {v:.1f}s" for k, v in _step_times(result).items()))
    _say_run_checks([c for c in evaluations if c.partition is None])
    _say_document_checks([c for c in evaluations if c.partition is not None])
    for name, why in _kept_out(result)[:20]:
        print(f"kept out of the warehouse: {name}: {why}")


def _step_times(result) -> dict[str, float]:
    """Seconds per step, the GX checks of one asset counted together."""
    durations: dict[str, float] = {}
    for event in result.all_events:
        if event.is_step_success:
            name = event.step_key.split("_gx_")[0] + "…gx" if "_gx_" in event.step_key else event.step_key
            durations[name] = durations.get(name, 0.0) + event.event_specific_data.duration_ms / 1000
    return durations


def _say_run_checks(checks) -> None:
    """The run's asset checks, failed ones named; a blocking one names what it found."""
    failed = [c for c in checks if not c.passed]
    print(f"asset checks: {len(checks)} evaluated, {len(failed)} failed"
          + (": " + ", ".join(f"{c.check_name} ({c.severity.value})" for c in failed) if failed else ""))
    for c in failed:
        for line in _failing_rows(c)[:5] if c.severity.value == "ERROR" else []:
            print(f"  {c.check_name}: {line}")


def _say_document_checks(documents) -> None:
    """The per-partition `document_read` results, counted (each one is in the UI)."""
    if not documents:
        return
    failed = sum(1 for c in documents if not c.passed)
    doubt = sum(1 for c in documents if not c.passed and c.severity.value == "WARN")
    print(f"document checks (one per partition): {len(documents)} evaluated, {doubt} read with uncertain cells, "
          f"{failed - doubt} not read")


def _say_where(result, layout, warehouse_path: Path) -> None:
    """Where the warehouse, the publication, the Data Docs and the UI are."""
    print(f"warehouse: {warehouse_path} (the pipeline's; BI tools read the published snapshot)")
    published = layout.published
    if (published / "govinfo.duckdb").exists():
        if not result.success:  # the last successful run's snapshot, not this run's
            print(f"published: NOT updated by this run; {published / 'govinfo.duckdb'} still holds "
                  f"{_publication(published / 'govinfo.duckdb')}")
        else:
            print(f"published: {published / 'govinfo.duckdb'} (read-only snapshot), {published / 'parquet'}/*.parquet "
                  f"and the overview, together: analysts now read {_publication(published / 'govinfo.duckdb')}")
        print(f"overview: {published / 'overview.html'}")
    elif not result.success:
        print("published: nothing (no run has succeeded yet)")
    print(f"GX Data Docs: {layout.data_docs_index}")
    print(f"  query it: .venv/bin/python -c \"import duckdb; duckdb.connect('{published / 'govinfo.duckdb'}', read_only=True)"
          f".sql('select * from marts.fct_agency_year').show()\"")
    print(f"Dagster UI (sensor, schedule, partitions, checks): cd {REPO_ROOT} && make dagster-ui "
          f"RAW={os.environ['GOVINFO_RAW_DIR']} WAREHOUSE={warehouse_path} DAGSTER_HOME={os.environ['DAGSTER_HOME']}")
