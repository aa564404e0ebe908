"""The staging writer: polars frames into the DuckDB warehouse's `raw` schema.

Writes are idempotent (a document's rows are replaced, never appended twice) and happen in
one transaction per batch, so a failure leaves what was loaded before intact. The
connection is opened per batch and closed at once: DuckDB admits one writer process, and
dbt and the checks need the file next.
"""
from __future__ import annotations

import errno
import logging
import math
import os
import re
import time
from contextlib import contextmanager
from pathlib import Path

import duckdb
import polars as pl

from .normalise import DOCUMENT_TABLES, SCHEMAS

_DUCK_TYPES = {pl.String: "VARCHAR", pl.Int64: "BIGINT", pl.Int32: "INTEGER", pl.Float64: "DOUBLE",
               pl.Boolean: "BOOLEAN"}
RAW_TABLES = tuple(SCHEMAS)
_log = logging.getLogger(__name__)


def _duck_type(dtype: pl.DataType) -> str:
    if isinstance(dtype, pl.Datetime):
        return "TIMESTAMP"
    return _DUCK_TYPES[dtype]


def duckdb_config() -> dict:
    """DuckDB's memory cap for every connection of ours (DuckDB's default is 80 % of the
    machine; past the cap it spills to disk). GOVINFO_DUCKDB_MEMORY; dbt has its own,
    GOVINFO_DBT_MEMORY (dbt_project/profiles.yml)."""
    return {"memory_limit": os.environ.get("GOVINFO_DUCKDB_MEMORY", "512MB")}


class WarehouseUnavailable(Exception):
    """One line: which warehouse, and what keeps us from it (a lock holder, a read-only folder)."""


def _holder(message: str) -> str:
    """The program DuckDB says holds the lock: its PID and command line."""
    found = re.search(r"PID (\d+)", message)
    if not found:
        return "another process"
    try:
        cmd = Path(f"/proc/{found[1]}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        cmd = ""
    return f"PID {found[1]}" + (f" ({cmd[:120]})" if cmd else "")


def _open(path: Path, read_only: bool, wait: float, say) -> duckdb.DuckDBPyConnection:
    """Open the file; while another process holds its lock, wait up to `wait` seconds,
    saying so every few seconds, then give up with one line that names the holder."""
    deadline = time.monotonic() + wait
    said = 0.0
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only, config=duckdb_config())
        except duckdb.IOException as exc:
            message = str(exc)
            if "lock" not in message.lower():
                raise WarehouseUnavailable(f"cannot open the warehouse {path}: {message.splitlines()[0]}") from None
            if time.monotonic() >= deadline:
                raise WarehouseUnavailable(
                    f"the warehouse {path} is locked by {_holder(message)}: close that program (BI tools read "
                    f"published/govinfo.duckdb, not the warehouse) or set GOVINFO_LOCK_WAIT (seconds, now {wait:g})"
                ) from None
            if time.monotonic() - said >= 5:
                say(f"waiting for the warehouse {path}: locked by {_holder(message)} "
                    f"(up to {max(0, deadline - time.monotonic()):.0f} s more)")
                said = time.monotonic()
            time.sleep(0.5)


def lock_wait() -> float:
    """How long a writer waits for the warehouse's lock (GOVINFO_LOCK_WAIT, seconds). A
    setting that is not a number of seconds is one line naming it, like any other cause
    that keeps a run from the warehouse."""
    raw = os.environ.get("GOVINFO_LOCK_WAIT", "30")
    try:
        wait = float(raw)
    except ValueError:
        wait = math.nan
    if not 0 <= wait < math.inf:
        raise WarehouseUnavailable(f"GOVINFO_LOCK_WAIT must be a number of seconds, 0 or more (it is {raw!r})")
    return wait


def _not_a_directory(path: Path) -> None:
    if path.is_dir():
        raise WarehouseUnavailable(f"the warehouse {path} is a directory: give the DuckDB file's path "
                                   f"({path / 'govinfo.duckdb'}, say)")


def writable(path: Path) -> None:
    """Make the warehouse's folder, or say in one line why it cannot be written."""
    _not_a_directory(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        why = "a file is in the way" if exc.errno == errno.EEXIST else exc.strerror
        raise WarehouseUnavailable(f"cannot create the folder of the warehouse {path}: {why}") from None
    if not os.access(path.parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise WarehouseUnavailable(f"the warehouse {path} is not writable (read-only folder or file)")


RUN_LOCK = ".run.lock"  # beside the warehouse: held by the `govinfo run` working on it


@contextmanager
def run_lock(warehouse: Path, wait: float | None = None, say=None):
    """One `govinfo run` at a time on a warehouse: a second one started meanwhile waits
    (GOVINFO_LOCK_WAIT seconds, saying so every few seconds) and then finds the documents
    parsed and loaded, instead of parsing them all again and failing on DuckDB's lock. The
    lock is the kernel's (flock): a run killed by any means releases it."""
    import fcntl

    writable(Path(warehouse))
    path = Path(warehouse).parent / RUN_LOCK
    wait = lock_wait() if wait is None else wait
    deadline, said = time.monotonic() + wait, 0.0
    with open(path, "a+", encoding="utf-8") as f:
        while True:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                f.seek(0)
                holder = f.read().strip() or "another process"
                if time.monotonic() >= deadline:
                    raise WarehouseUnavailable(f"another govinfo run ({holder}) is working on the warehouse {warehouse}: "
                                               f"wait for it, or set GOVINFO_LOCK_WAIT (seconds, now {wait:g})") from None
                if time.monotonic() - said >= 5:
                    (say or _log.warning)(f"waiting for another govinfo run ({holder}) on the warehouse {warehouse} "
                                          f"(up to {max(0, deadline - time.monotonic()):.0f} s more)")
                    said = time.monotonic()
                time.sleep(0.5)
        f.truncate(0)
        f.write(f"PID {os.getpid()}, since {time.strftime('%Y-%m-%d %H:%M:%S')}")
        f.flush()
        try:
            yield
        finally:
            f.truncate(0)
            fcntl.flock(f, fcntl.LOCK_UN)


@contextmanager
def connect(path: Path, read_only: bool = False, wait: float | None = None, say=None):
    """A connection to the warehouse, closed on exit. Every failure to open it is one line
    (WarehouseUnavailable) that names the path and the cause."""
    path = Path(path)
    _not_a_directory(path)
    if not read_only:
        writable(path)
    con = _open(path, read_only, lock_wait() if wait is None else wait, say or _log.warning)
    try:
        yield con
    finally:
        con.close()


def ensure_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the raw tables, and add columns a newer version of a table has (a warehouse
    built by an older release keeps its data)."""
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    con.execute("DROP TABLE IF EXISTS raw.agencies")  # names keyed by alias (before issue 12): now raw.documents
    for name, schema in SCHEMAS.items():
        cols = ", ".join(f'"{c}" {_duck_type(t)}' for c, t in schema.items())
        con.execute(f"CREATE TABLE IF NOT EXISTS raw.{name} ({cols})")
        for c, t in schema.items():
            con.execute(f'ALTER TABLE raw.{name} ADD COLUMN IF NOT EXISTS "{c}" {_duck_type(t)}')
    # which parse record (by its mtime) each document was loaded from: the loader's bookmark
    con.execute("CREATE TABLE IF NOT EXISTS raw.load_log (document_id VARCHAR PRIMARY KEY, record_mtime_ns BIGINT)")


def load_log(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return dict(con.execute("SELECT document_id, record_mtime_ns FROM raw.load_log").fetchall())


def sync_sources(con: duckdb.DuckDBPyConnection, sources: dict) -> None:
    """Every name a loaded document's bytes arrived under, and every name of a rejected
    one, from the landing index (ingestion.load.landing.Source lists); rows are only added, and
    whether a file of that name holds the document now follows the index (a renamed file's
    document is shown under its new name)."""
    pairs = pl.DataFrame([{"document_id": sha, "source_file": s.path, "present": s.present}
                          for sha, names in sources.items() for s in names], schema=SCHEMAS["document_sources"])
    con.register("_pairs", pairs.to_arrow())
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("""INSERT INTO raw.document_sources BY NAME
            SELECT p.document_id, p.source_file, p.present FROM _pairs p
            WHERE p.document_id IN (SELECT document_id FROM raw.documents)
              AND NOT EXISTS (SELECT 1 FROM raw.document_sources s
                              WHERE s.document_id = p.document_id AND s.source_file = p.source_file)""")
        con.execute("""UPDATE raw.document_sources s SET present = p.present FROM _pairs p
            WHERE s.document_id = p.document_id AND s.source_file = p.source_file
              AND s.present IS DISTINCT FROM p.present""")
        con.execute("""INSERT INTO raw.quarantine BY NAME
            SELECT p.document_id AS sha256, p.source_file, q.reason, q.quarantined_at
            FROM _pairs p JOIN (SELECT sha256, any_value(reason) AS reason, min(quarantined_at) AS quarantined_at
                                FROM raw.quarantine GROUP BY sha256) q ON q.sha256 = p.document_id
            WHERE NOT EXISTS (SELECT 1 FROM raw.quarantine x
                              WHERE x.sha256 = p.document_id AND x.source_file = p.source_file)""")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        con.unregister("_pairs")


def quarantined_ids(con: duckdb.DuckDBPyConnection, reason_prefix: str) -> set[str]:
    """Documents in the quarantine for a reason that starts so."""
    rows = con.execute("SELECT DISTINCT sha256 FROM raw.quarantine WHERE starts_with(reason, ?)",
                       [reason_prefix]).fetchall()
    return {r[0] for r in rows if r[0]}


def sync_problems(con: duckdb.DuckDBPyConnection, problems: dict[str, str], now) -> None:
    """The files the landing scan could not take (no content hash: sha256 is null), as the
    index has them now: a problem fixed or removed leaves the quarantine."""
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("DELETE FROM raw.quarantine WHERE sha256 IS NULL")
        if problems:
            con.executemany("INSERT INTO raw.quarantine (sha256, source_file, reason, quarantined_at) "
                            "VALUES (NULL, ?, ?, ?)", [(p, r, now) for p, r in problems.items()])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    if frame.height:
        con.register("_frame", frame.to_arrow())
        con.execute(f"INSERT INTO raw.{table} BY NAME SELECT * FROM _frame")
        con.unregister("_frame")


def write_batch(con: duckdb.DuckDBPyConnection, documents: dict[str, pl.DataFrame],
                quarantine: pl.DataFrame, reference: dict[str, pl.DataFrame], replaced: list[str],
                log: list[tuple[str, int]]) -> None:
    """In one transaction: drop what the warehouse held for the `replaced` documents (parsed
    or rejected before), insert the batch, refresh the reference tables, and record in
    raw.load_log which parse record each document came from."""
    con.execute("BEGIN TRANSACTION")
    try:
        ids = replaced
        if ids:
            con.register("_ids", pl.DataFrame({"document_id": ids}).to_arrow())
            for table in DOCUMENT_TABLES:
                con.execute(f"DELETE FROM raw.{table} WHERE document_id IN (SELECT document_id FROM _ids)")
            con.execute("DELETE FROM raw.quarantine WHERE sha256 IN (SELECT document_id FROM _ids)")
            # names of a document no longer loaded go too (sync_sources adds back the loaded ones')
            con.execute("DELETE FROM raw.document_sources WHERE document_id IN (SELECT document_id FROM _ids)")
            con.unregister("_ids")
        for table in DOCUMENT_TABLES:
            _insert(con, table, documents[table])
        if quarantine.height:
            con.register("_q", quarantine.to_arrow())
            con.execute("""INSERT INTO raw.quarantine BY NAME SELECT * FROM _q
                           WHERE NOT EXISTS (SELECT 1 FROM raw.quarantine q
                                             WHERE q.sha256 = _q.sha256 AND q.source_file = _q.source_file)""")
            con.unregister("_q")
        for table, frame in reference.items():
            con.execute(f"DELETE FROM raw.{table}")
            _insert(con, table, frame)
        if log:
            con.executemany("INSERT OR REPLACE INTO raw.load_log VALUES (?, ?)", log)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
