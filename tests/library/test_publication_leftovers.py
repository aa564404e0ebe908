"""Publication is all or nothing: the snapshot, the parquet files and the overview change
together, a publication that fails changes none of them, and one killed half-way leaves
nothing behind that the next does not remove (never what readers may still be reading)."""
import os

import duckdb
import pytest

from publishing.snapshot import (CURRENT, OVERVIEW_NAME, PARQUET_LINK, RELEASES, SNAPSHOT_NAME, PublicationError,
                                 publish)

DEAD = "20260101T000000-999999"  # no process has this PID


def _warehouse(path, x=1):
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE SCHEMA IF NOT EXISTS marts")
        con.execute(f"CREATE OR REPLACE TABLE marts.t AS SELECT {x} AS x")
    return path


def _page(snapshot, release):
    with duckdb.connect(str(snapshot), read_only=True) as con:
        x = con.execute("SELECT x FROM marts.t").fetchall()[0][0]
    (release / OVERVIEW_NAME).write_text(f"x={x}", encoding="utf-8")
    return {"x": x}


def _seen(out):
    """What a reader opening the published paths sees: (snapshot, parquet, overview)."""
    with duckdb.connect(str(out / SNAPSHOT_NAME), read_only=True) as con:
        snap = con.execute("SELECT x FROM marts.t").fetchall()[0][0]
        parq = con.execute(f"SELECT x FROM '{out / PARQUET_LINK / 't.parquet'}'").fetchall()[0][0]
    return snap, parq, (out / OVERVIEW_NAME).read_text(encoding="utf-8")


def test_a_killed_publications_release_and_the_old_layouts_leftovers_are_removed(tmp_path):
    wh, out = _warehouse(tmp_path / "wh.duckdb"), tmp_path / "published"
    first = publish(wh, out, pages=_page)
    kept = (out / CURRENT).resolve()
    partial = out / RELEASES / DEAD  # killed before it was marked complete
    (partial / PARQUET_LINK).mkdir(parents=True)
    (partial / SNAPSHOT_NAME).write_bytes(b"half")
    alive = out / RELEASES / f"20260101T000000-{os.getpid()}"  # a live publication's release
    alive.mkdir()
    old_layout = [out / f".{SNAPSHOT_NAME}.{DEAD}.tmp", out / f".{SNAPSHOT_NAME}.{DEAD}.tmp.wal"]
    for f in old_layout:
        f.write_bytes(b"killed")
    (out / f"parquet-{DEAD}").mkdir()
    second = publish(wh, out, pages=_page)
    assert not partial.exists() and not any(f.exists() for f in old_layout) and not (out / f"parquet-{DEAD}").exists()
    assert alive.exists() and kept.exists()  # being written; the one readers had
    assert first.tables == {"t": 1} and second.kpis == {"x": 1}
    assert (out / CURRENT).resolve() == second.release.resolve()
    assert _seen(out) == (1, 1, "x=1")


def test_a_publication_that_fails_changes_nothing_readers_see(tmp_path):
    wh, out = _warehouse(tmp_path / "wh.duckdb"), tmp_path / "published"
    publish(wh, out, pages=_page)
    _warehouse(wh, 2)

    def broken_page(snapshot, release):
        _page(snapshot, release)
        raise OSError("No space left on device")

    with pytest.raises(OSError, match="No space left"):
        publish(wh, out, pages=broken_page)
    assert _seen(out) == (1, 1, "x=1")
    assert len(list((out / RELEASES).iterdir())) == 1  # the failed release is gone
    publish(wh, out, pages=_page)
    assert _seen(out) == (2, 2, "x=2")


def test_a_folder_where_the_parquet_link_goes_stops_publication_before_anything_changes(tmp_path):
    """The defect: the snapshot was swapped in, then the parquet swap failed on a folder."""
    wh, out = _warehouse(tmp_path / "wh.duckdb"), tmp_path / "published"
    publish(wh, out, pages=_page)
    _warehouse(wh, 2)
    (out / PARQUET_LINK).unlink()
    (out / PARQUET_LINK).mkdir()
    (out / PARQUET_LINK / "t.parquet").write_bytes(b"copied by hand")
    with pytest.raises(PublicationError, match="is a folder"):
        publish(wh, out, pages=_page)
    with duckdb.connect(str(out / SNAPSHOT_NAME), read_only=True) as con:
        assert con.execute("SELECT x FROM marts.t").fetchall() == [(1,)]
    assert (out / OVERVIEW_NAME).read_text(encoding="utf-8") == "x=1"


def test_the_layout_before_releases_moves_over_in_one_publication(tmp_path):
    """A warehouse published by an earlier version: a snapshot file, a parquet link to a
    parquet-<stamp> folder and an overview file, all replaced by links through `current`."""
    wh, out = _warehouse(tmp_path / "wh.duckdb", 3), tmp_path / "published"
    out.mkdir()
    (out / "parquet-20250101T000000-1").mkdir()
    (out / PARQUET_LINK).symlink_to("parquet-20250101T000000-1")
    (out / SNAPSHOT_NAME).write_bytes(b"old")
    (out / OVERVIEW_NAME).write_text("old", encoding="utf-8")
    publish(wh, out, pages=_page)
    assert all(os.readlink(out / n) == f"{CURRENT}/{n}" for n in (SNAPSHOT_NAME, PARQUET_LINK, OVERVIEW_NAME))
    assert _seen(out) == (3, 3, "x=3") and not list(out.glob("parquet-*"))
