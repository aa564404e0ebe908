"""The staging writer: polars frames into the DuckDB warehouse's `raw` schema.

Writes are idempotent (a document's rows are replaced, never appended twice) and happen in
one transaction per batch, so a failure leaves what was loaded before intact. The
connection is opened per batch and closed at once: DuckDB admits one writer process, and
dbt and the checks need the file next.
"""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import duckdb
import polars as pl

from .normalise import DOCUMENT_TABLES, SCHEMAS

_DUCK_TYPES = {pl.String: "VARCHAR", pl.Int64: "BIGINT", pl.Int32: "INTEGER", pl.Float64: "DOUBLE"}
RAW_TABLES = tuple(SCHEMAS)


def _duck_type(dtype: pl.DataType) -> str:
    if isinstance(dtype, pl.Datetime):
        return "TIMESTAMP"
    return _DUCK_TYPES[dtype]


@contextmanager
def connect(path: Path, read_only: bool = False):
    path = Path(path)
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path), read_only=read_only)
    try:
        yield con
    finally:
        con.close()


def ensure_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    for name, schema in SCHEMAS.items():
        cols = ", ".join(f'"{c}" {_duck_type(t)}' for c, t in schema.items())
        con.execute(f"CREATE TABLE IF NOT EXISTS raw.{name} ({cols})")


def loaded_documents(con: duckdb.DuckDBPyConnection, parser_version: str) -> set[str]:
    rows = con.execute("SELECT document_id FROM raw.documents WHERE parser_version = ?", [parser_version]).fetchall()
    return {r[0] for r in rows}


def quarantined(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in con.execute("SELECT sha256 FROM raw.quarantine").fetchall()}


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    if frame.height:
        con.register("_frame", frame.to_arrow())
        con.execute(f"INSERT INTO raw.{table} BY NAME SELECT * FROM _frame")
        con.unregister("_frame")


def write_batch(con: duckdb.DuckDBPyConnection, documents: dict[str, pl.DataFrame],
                quarantine: pl.DataFrame, reference: dict[str, pl.DataFrame]) -> None:
    """Replace the batch's documents, add new quarantine records, refresh the reference tables."""
    con.execute("BEGIN TRANSACTION")
    try:
        ids = documents["documents"]["document_id"].to_list()
        if ids:
            con.register("_ids", pl.DataFrame({"document_id": ids}).to_arrow())
            for table in DOCUMENT_TABLES:
                con.execute(f"DELETE FROM raw.{table} WHERE document_id IN (SELECT document_id FROM _ids)")
            con.execute("DELETE FROM raw.quarantine WHERE sha256 IN (SELECT document_id FROM _ids)")
            con.unregister("_ids")
        for table in DOCUMENT_TABLES:
            _insert(con, table, documents[table])
        agencies = documents["agencies"]
        if agencies.height:  # one row per printed name: replaced, never duplicated
            con.register("_agencies", agencies.to_arrow())
            con.execute("DELETE FROM raw.agencies WHERE agency_name IN (SELECT agency_name FROM _agencies)")
            con.execute("INSERT INTO raw.agencies BY NAME SELECT * FROM _agencies")
            con.unregister("_agencies")
        if quarantine.height:
            con.register("_q", quarantine.to_arrow())
            con.execute("""INSERT INTO raw.quarantine BY NAME SELECT * FROM _q
                           WHERE NOT EXISTS (SELECT 1 FROM raw.quarantine q
                                             WHERE q.sha256 = _q.sha256 AND q.source_file = _q.source_file)""")
            con.unregister("_q")
        for table, frame in reference.items():
            con.execute(f"DELETE FROM raw.{table}")
            _insert(con, table, frame)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
