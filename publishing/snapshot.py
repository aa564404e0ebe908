"""What analysts read: a read-only DuckDB snapshot of the marts, their parquet files and the
overview page, published together or not at all.

DuckDB admits one writer, and a BI tool holding the warehouse file would block the
pipeline. So analysts never open the warehouse: each successful run writes a new *release*,
`published/releases/<time>-<pid>/` (`govinfo.duckdb`, `parquet/<mart>.parquet`,
`overview.html`), marks it complete, and then swaps one link, `published/current`, onto it
(`os.replace`, atomic on POSIX). The paths analysts use, `published/govinfo.duckdb`,
`published/parquet/` and `published/overview.html`, are fixed links through `current`: all
three change in that one swap, so a reader never sees a snapshot of one run beside the
parquet or overview of another, and a run that fails before the swap publishes nothing. A
query already running keeps reading the files it opened; older releases are kept a while
for readers still listing them.
"""
from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from ingestion.load.orphans import remove_orphans
from ingestion.load.warehouse import duckdb_config

SNAPSHOT_NAME = "govinfo.duckdb"
PARQUET_LINK = "parquet"
OVERVIEW_NAME = "overview.html"
PUBLISHED = (SNAPSHOT_NAME, PARQUET_LINK, OVERVIEW_NAME)  # what readers open, each a link through `current`
CURRENT = "current"
RELEASES = "releases"
KEEP_OLD_RELEASES = 2  # older releases kept for readers still listing them
COMPLETE = ".complete"  # marks a release whose every file was written


class PublicationError(RuntimeError):
    """Publishing cannot go on; nothing readers see has changed."""


def sql_string(value: object) -> str:
    """A SQL string literal (DuckDB takes no parameters in ATTACH or COPY … TO): a path
    holding a quote stays one path."""
    return "'" + str(value).replace("'", "''") + "'"


@dataclass
class Publication:
    snapshot: Path
    parquet_dir: Path
    tables: dict[str, int] = field(default_factory=dict)  # mart → rows
    release: Path | None = None  # the folder `current` now points at
    kpis: dict = field(default_factory=dict)  # what the pages returned (the overview's headline numbers)


def _marts(con: duckdb.DuckDBPyConnection, schema: str) -> list[str]:
    return [r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_catalog = 'wh' AND table_schema = ? "
        "AND table_type = 'BASE TABLE' ORDER BY table_name", [schema]).fetchall()]


def _copy_comments(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> dict[str, str]:
    """The table's and its columns' comments (dbt persist_docs: the yml descriptions), copied
    from the warehouse onto the snapshot's table; returned for the parquet file's metadata."""
    found = con.execute("SELECT comment FROM duckdb_tables() WHERE database_name = 'wh' AND schema_name = ? "
                        "AND table_name = ?", [schema, table]).fetchall()
    out = {"": found[0][0]} if found and found[0][0] else {}
    out |= dict(con.execute("SELECT column_name, comment FROM duckdb_columns() WHERE database_name = 'wh' "
                            "AND schema_name = ? AND table_name = ? AND comment IS NOT NULL AND comment <> ''",
                            [schema, table]).fetchall())
    for column, comment in out.items():
        target = f"TABLE {schema}.{table}" if column == "" else f'COLUMN {schema}.{table}."{column}"'
        con.execute(f"COMMENT ON {target} IS {sql_string(comment)}")
    return out


PARQUET_BATCH_ROWS = 100_000  # rows in memory at a time while a mart is written to parquet


def _write_parquet(con: duckdb.DuckDBPyConnection, schema: str, table: str, path: Path,
                   described: dict[str, str]) -> None:
    """The table as a parquet file whose fields carry their descriptions (each field's
    `description` metadata: BI tools and pyarrow show them beside the column), and whose
    file metadata carries the table's (`description`) and, for readers that look only there,
    each column's (`description:<column>`). DuckDB's COPY writes file metadata only, so
    pyarrow writes the file, batch by batch: memory stays flat whatever the mart's size."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    reader = con.sql(f"SELECT * FROM {schema}.{table}").to_arrow_reader(PARQUET_BATCH_ROWS)
    fields = [f.with_metadata({"description": described[f.name]}) if described.get(f.name) else f
              for f in reader.schema]
    file_meta = {("description" if c == "" else f"description:{c}"): text for c, text in described.items()}
    with pq.ParquetWriter(path, pa.schema(fields, metadata=file_meta), compression="zstd") as out:
        for batch in reader:
            out.write_batch(batch)


def _remove_leftovers(out: Path) -> None:
    """What a publication killed half-way left: a release it never marked complete (only a
    dead process's: a live one is still writing it), and the files of the layout before
    releases (`.govinfo.duckdb.<time>-<pid>.tmp[.wal]`, `parquet-<time>-<pid>/`) once no link
    leads to them."""
    releases = out / RELEASES
    current = (out / CURRENT).resolve()
    if releases.is_dir():
        for release in releases.iterdir():
            if release.resolve() != current and not (release / COMPLETE).exists():
                remove_orphans(releases, release.name, r"-(\d+)$")
    remove_orphans(out, f".{SNAPSHOT_NAME}.*.tmp*", r"-(\d+)\.tmp(?:\.wal)?$")
    linked = (out / PARQUET_LINK).resolve()
    for folder in out.glob("parquet-*"):
        if folder.is_dir() and folder.resolve() != linked and not (folder / COMPLETE).exists():
            remove_orphans(out, folder.name, r"-(\d+)$")


def _check_paths(out: Path) -> None:
    """Each path readers open must be ours to swap: absent, a link, or the snapshot and page
    files of the layout before releases. A folder in its place (copied there by hand) would
    make the swap fail half-way: refuse before anything changes."""
    for name in PUBLISHED:
        path = out / name
        if path.is_symlink() or not path.exists():
            continue
        if name == PARQUET_LINK or path.is_dir():
            raise PublicationError(f"{path} is a folder, not the link govinfo publishes through: move it away "
                                   "(nothing was published)")


def _write_release(warehouse: Path, release: Path, run_id: str, schema: str) -> dict[str, int]:
    """The snapshot and the parquet files of every table of `schema`, in `release`."""
    (release / PARQUET_LINK).mkdir(parents=True)
    # the warehouse attached read-only; insertion order not kept (no mart promises an order
    # without ORDER BY): a third less memory and time for the copies (measured at 10,000
    # documents: peak 498 → 337 MB, 3.0 → 2.5 s)
    con = duckdb.connect(str(release / SNAPSHOT_NAME), config={**duckdb_config(), "preserve_insertion_order": False})
    try:
        con.execute(f"ATTACH {sql_string(Path(warehouse).resolve())} AS wh (READ_ONLY)")
        tables = _marts(con, schema)
        con.execute(f"CREATE SCHEMA {schema}")
        counts = {}
        for t in tables:
            con.execute(f"CREATE TABLE {schema}.{t} AS SELECT * FROM wh.{schema}.{t}")
            described = _copy_comments(con, schema, t)
            _write_parquet(con, schema, t, release / PARQUET_LINK / (t + ".parquet"), described)
            counts[t] = con.execute(f"SELECT count(*) FROM {schema}.{t}").fetchall()[0][0]
        con.execute("CREATE TABLE main.publication AS SELECT ?::TIMESTAMP AS published_at, ? AS run_id, "
                    "? AS tables", [datetime.now(timezone.utc).replace(tzinfo=None), run_id, len(tables)])
        con.execute("DETACH wh")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return counts


def publication(con: duckdb.DuckDBPyConnection) -> tuple[datetime, str] | None:
    """(published_at, run_id) of the publication a snapshot holds (the table written above);
    None for a file that holds none."""
    try:
        found = con.execute("SELECT published_at, run_id FROM main.publication").fetchall()
    except duckdb.Error:
        return None
    return found[0] if found else None


def _swap(out: Path, release: Path, stamp: str) -> None:
    """Point `current` at the release (the one atomic step), then make sure each path readers
    open is a link through `current` (only the first publication after the layout before
    releases replaces a file there: each path then changes on its own, once)."""
    def link(name: str, target: str) -> None:
        tmp = out / f".{name}.{stamp}.tmp"
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(target)
        os.replace(tmp, out / name)

    link(CURRENT, f"{RELEASES}/{release.name}")
    for name in PUBLISHED:
        path = out / name
        if not (path.is_symlink() and os.readlink(path) == f"{CURRENT}/{name}"):
            link(name, f"{CURRENT}/{name}")


def _rotate(out: Path, release: Path) -> None:
    """Remove releases beyond the newest few (a rotation that fails costs disk, not data)."""
    old = sorted(p for p in (out / RELEASES).iterdir() if p != release and (p / COMPLETE).exists())
    for p in old[:-KEEP_OLD_RELEASES]:
        shutil.rmtree(p, ignore_errors=True)
    for p in out.glob("parquet-*"):  # the layout before releases: no link leads there any more
        shutil.rmtree(p, ignore_errors=True)


def publish(warehouse: Path, out: Path, run_id: str = "", schema: str = "marts",
            pages: Callable[[Path, Path], dict] | None = None) -> Publication:
    """Write every table of `schema` into a new release, with the pages `pages(snapshot,
    release)` writes beside it (the overview), then swap the release in. Any failure before
    the swap leaves what readers see as it was, and removes the release."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(out)
    _check_paths(out)
    stamp = f"{time.strftime('%Y%m%dT%H%M%S')}.{time.time_ns() // 1000 % 1_000_000:06d}-{os.getpid()}"  # two in one second differ
    release = out / RELEASES / stamp
    try:
        counts = _write_release(warehouse, release, run_id, schema)
        kpis = pages(release / SNAPSHOT_NAME, release) if pages else {}
        (release / COMPLETE).touch()  # every file written: a kill from here on leaves a whole release
    except BaseException:
        shutil.rmtree(release, ignore_errors=True)
        raise
    _swap(out, release, stamp)
    _rotate(out, release)
    return Publication(snapshot=out / SNAPSHOT_NAME, parquet_dir=out / PARQUET_LINK, tables=counts,
                       release=release, kpis=kpis)
