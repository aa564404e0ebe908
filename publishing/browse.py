"""Datasette over the published marts: the field's browsing tool (pudl publishes its
warehouse the same way), for people who would rather click than write SQL.

Datasette reads SQLite, so `export` copies every mart of the published DuckDB snapshot into
one SQLite file beside it (`browse/govinfo.sqlite`, made again only when a newer snapshot
was published), and `metadata` describes it for Datasette from what the snapshot already
carries: each table's and column's description (dbt's yml, kept as DuckDB comments by the
publication), facets on the columns people slice by, and the analysts' documented queries
as canned queries (docs/analysts.md is their one home; sqlglot turns DuckDB's dialect into
SQLite's). A query that SQLite cannot run the same way is left out, with its reason.
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from .snapshot import publication

SCHEMA = "marts"
DATABASE = "govinfo"  # the SQLite file's stem: Datasette's name for the database
BATCH_ROWS = 50_000  # rows in memory at a time while a mart is copied
# columns people slice by: a table gets a facet for each of these it has
FACETS = ("agency_name", "province_name", "region_level", "level", "year", "rule", "finding_source", "severity",
          "extraction_status", "review_status", "value_source", "action", "template", "outcome_group", "table_name",
          "source_format")
INDEXED = ("agency_key", "agency_name", "document_id", "year", "rule", "field")  # looked up by links and facets
_TYPES = {"BOOLEAN": "INTEGER", "TINYINT": "INTEGER", "SMALLINT": "INTEGER", "INTEGER": "INTEGER",
          "BIGINT": "INTEGER", "HUGEINT": "INTEGER", "UTINYINT": "INTEGER", "USMALLINT": "INTEGER",
          "UINTEGER": "INTEGER", "UBIGINT": "INTEGER", "DOUBLE": "REAL", "FLOAT": "REAL"}


@dataclass(frozen=True)
class Query:
    """One documented query: the sentence before it in the analysts' docs and its SQL."""
    name: str
    title: str
    duckdb_sql: str
    sqlite_sql: str | None  # None: SQLite cannot run it the same way (`why`)
    why: str = ""


def sqlite_path(published: Path) -> Path:
    return published.parent / "browse" / f"{DATABASE}.sqlite"


def _publication(con: duckdb.DuckDBPyConnection) -> str:
    """Which publication the snapshot holds (its run id and time): the SQLite copy is made
    again when this changes."""
    found = publication(con)
    return f"{found[1]} {found[0]}" if found else ""


def _sqlite_type(duck_type: str) -> str:
    if duck_type.startswith("DECIMAL"):
        return "REAL"
    return _TYPES.get(duck_type, "TEXT")


def _value(v):
    """A DuckDB value as SQLite stores it: lists and structs as JSON, times as ISO text."""
    if isinstance(v, (list, dict, tuple)):
        return json.dumps(v, ensure_ascii=False, default=str)
    if hasattr(v, "isoformat"):
        return v.isoformat(sep=" ") if hasattr(v, "hour") and hasattr(v, "date") else v.isoformat()
    if hasattr(v, "as_tuple"):  # Decimal
        return float(v)
    return v


def _copy_table(duck: duckdb.DuckDBPyConnection, lite, table: str) -> int:
    columns = duck.execute("SELECT column_name, data_type FROM duckdb_columns() WHERE schema_name = ? "
                           "AND table_name = ? ORDER BY column_index", [SCHEMA, table]).fetchall()
    cols = ", ".join(f'"{c}" {_sqlite_type(t)}' for c, t in columns)
    lite.execute(f'CREATE TABLE "{table}" ({cols})')
    cursor = duck.execute(f'SELECT * FROM {SCHEMA}."{table}"')
    marks, rows = ", ".join("?" for _ in columns), 0
    while batch := cursor.fetchmany(BATCH_ROWS):
        lite.executemany(f'INSERT INTO "{table}" VALUES ({marks})', [tuple(map(_value, r)) for r in batch])
        rows += len(batch)
    for c, _ in columns:
        if c in INDEXED or c in FACETS:
            lite.execute(f'CREATE INDEX "ix_{table}_{c}" ON "{table}" ("{c}")')
    return rows


def export(snapshot: Path, out: Path, progress=print) -> bool:
    """Copy every mart of the published snapshot into a SQLite file, atomically; nothing
    is done when the file already holds this publication. Returns whether it was made."""
    import sqlite3

    with duckdb.connect(str(snapshot), read_only=True) as duck:
        stamp = _publication(duck)
        if out.exists() and stamp and _stamp_of(out) == stamp:
            return False
        tables = [r[0] for r in duck.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = ? "
                                             "ORDER BY table_name", [SCHEMA]).fetchall()]
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
        tmp.unlink(missing_ok=True)
        lite = sqlite3.connect(tmp)
        try:
            for i, table in enumerate(tables, start=1):
                rows = _copy_table(duck, lite, table)
                progress(f"browse: copied {table} ({rows} rows) [{i}/{len(tables)}]")
            lite.execute("CREATE TABLE _publication (stamp TEXT)")
            lite.execute("INSERT INTO _publication VALUES (?)", [stamp])
            lite.commit()
        finally:
            lite.close()
    os.replace(tmp, out)
    return True


def _stamp_of(path: Path) -> str:
    import sqlite3

    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as lite:
            return lite.execute("SELECT stamp FROM _publication").fetchall()[0][0]
    except (sqlite3.Error, IndexError):
        return ""


def _descriptions(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, str]]:
    """table → {"": its description, column: its description}, from the snapshot's comments."""
    out: dict[str, dict[str, str]] = {}
    for table, comment in con.execute("SELECT table_name, comment FROM duckdb_tables() WHERE schema_name = ?",
                                      [SCHEMA]).fetchall():
        out[table] = {"": comment or ""}
    for table, column, comment in con.execute(
            "SELECT table_name, column_name, comment FROM duckdb_columns() WHERE schema_name = ? "
            "AND comment IS NOT NULL AND comment <> ''", [SCHEMA]).fetchall():
        out.setdefault(table, {"": ""})[column] = comment
    return out


def _title(description: str, table: str) -> str:
    """A table's title: the first sentence of its description (at most a line's worth)."""
    first = re.split(r"(?<=\.)\s|。", description.strip(), maxsplit=1)[0].rstrip(".")
    return (first if len(first) <= 100 else first[:100].rsplit(" ", 1)[0] + " …") or table


def documented_queries(doc: Path) -> list[Query]:
    """Every ```sql block of the analysts' docs with the sentence before it, in SQLite's
    dialect where sqlglot can say it; a query SQLite cannot run the same way keeps `why`."""
    text = doc.read_text(encoding="utf-8")
    out = []
    for n, m in enumerate(re.finditer(r"((?:[^\n]+\n)+)\n```sql\n(.*?)```", text, re.S), start=1):
        before, sql = m.group(1).strip(), m.group(2).strip()
        title = re.sub(r"\s+", " ", before.split("\n\n")[-1]).rstrip(":：")
        slug = "-".join(re.findall(r"[a-z0-9]+", title.lower())[:6]) or "query"
        sqlite_sql, why = _to_sqlite(sql)
        out.append(Query(f"{n:02d}-{slug}", title, sql, sqlite_sql, why))
    return out


def _to_sqlite(sql: str) -> tuple[str | None, str]:
    import sqlglot
    from sqlglot import exp

    tree = sqlglot.parse_one(sql, read="duckdb")
    if tree.find(exp.ArrayAgg):
        return None, "a list aggregate (list(… ORDER BY …)): SQLite has no ordered one"
    for table in tree.find_all(exp.Table):
        if table.args.get("db") is not None and table.db == SCHEMA:
            table.set("db", None)
    return tree.sql(dialect="sqlite"), ""


def metadata(snapshot: Path, doc: Path | None) -> dict:
    """Datasette's metadata: titles, descriptions, facets and the canned queries."""
    with duckdb.connect(str(snapshot), read_only=True) as con:
        described = _descriptions(con)
        columns = {t: [r[0] for r in con.execute("SELECT column_name FROM duckdb_columns() WHERE schema_name = ? "
                                                 "AND table_name = ? ORDER BY column_index", [SCHEMA, t]).fetchall()]
                   for t in described}
        stamp = _publication(con)
    tables = {}
    for table, d in sorted(described.items()):
        tables[table] = {"title": _title(d.get("", ""), table), "description": d.get("", ""),
                         "columns": {c: text for c, text in d.items() if c},
                         "facets": [c for c in FACETS if c in columns[table]]}
    queries = documented_queries(doc) if doc and doc.exists() else []
    return {
        "title": "govinfo: government information-disclosure annual reports",
        "description": f"The published marts ({stamp or 'no publication stamp'}), read-only. Every table and "
                       "column is described; the canned queries are those of the analysts' guide.",
        "databases": {DATABASE: {
            "tables": tables | {"_publication": {"hidden": True}},
            "queries": {q.name: {"sql": q.sqlite_sql, "title": q.title} for q in queries if q.sqlite_sql},
        }},
    }


ANALYSTS_DOC = Path(__file__).resolve().parents[1] / "docs" / "analysts.md"  # in a checkout


def prepare(published: Path, doc: Path = ANALYSTS_DOC, progress=print) -> tuple[Path, Path]:
    """The SQLite copy of the published snapshot and its Datasette metadata, made again
    when a newer snapshot was published. Raises FileNotFoundError when nothing is published."""
    snapshot = published / "govinfo.duckdb"
    if not snapshot.exists():
        raise FileNotFoundError(f"nothing published at {published} yet: `govinfo run` publishes the marts")
    out = sqlite_path(published)
    made = export(snapshot, out, progress)
    meta = out.with_name("metadata.json")
    tmp = meta.with_name(f".{meta.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(metadata(snapshot, doc), ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, meta)
    progress(f"browse: {out} {'made from' if made else 'already holds'} {snapshot}")
    return out, meta


def command(sqlite: Path, meta: Path, host: str, port: int) -> list[str]:
    """Datasette serving the copy read-only (immutable: it is never written while served)."""
    import sys

    return [sys.executable, "-m", "datasette", "serve", "-i", str(sqlite), "--metadata", str(meta),
            "--host", host, "--port", str(port), "--setting", "sql_time_limit_ms", "10000",
            "--setting", "facet_time_limit_ms", "1000"]
