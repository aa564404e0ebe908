"""A publication killed half-way leaves files behind; the next publication removes them,
and never what readers may still be reading."""
import os

import duckdb

from publishing.snapshot import PARQUET_LINK, SNAPSHOT_NAME, publish

DEAD = "20260101T000000-999999"  # no process has this PID


def _warehouse(path):
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE SCHEMA marts")
        con.execute("CREATE TABLE marts.t AS SELECT 1 AS x")
    return path


def test_a_killed_publications_snapshot_wal_and_partial_parquet_folder_are_removed(tmp_path):
    wh, out = _warehouse(tmp_path / "wh.duckdb"), tmp_path / "published"
    first = publish(wh, out)
    kept = (out / PARQUET_LINK).resolve()
    leftovers = [out / f".{SNAPSHOT_NAME}.{DEAD}.tmp", out / f".{SNAPSHOT_NAME}.{DEAD}.tmp.wal"]
    for f in leftovers:
        f.write_bytes(b"killed")
    partial = out / f"parquet-{DEAD}"
    partial.mkdir()
    (partial / "t.parquet").write_bytes(b"half")
    alive = out / f"parquet-20260101T000000-{os.getpid()}"  # a live publication's folder
    alive.mkdir()
    publish(wh, out)
    assert not any(f.exists() for f in leftovers) and not partial.exists()
    assert alive.exists() and kept.exists()  # being written; the one readers had
    assert first.tables == {"t": 1}
    with duckdb.connect(str(out / SNAPSHOT_NAME), read_only=True) as con:
        assert con.execute("SELECT x FROM marts.t").fetchall() == [(1,)]
