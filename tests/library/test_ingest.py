"""Landing folder → staging tables in a real DuckDB file: idempotent, dedupes by content,
quarantines bad files without losing what was loaded."""
import shutil

import duckdb

from ingestion.ingest import ingest_folder


def _counts(db):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {t: con.execute(f"SELECT count(*) FROM raw.{t}").fetchall()[0][0]
                for t in ("documents", "report_cells", "quarantine", "document_sources")}
    finally:
        con.close()


def test_ingest_is_idempotent_and_dedupes(seed_cases, tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    for path, _ in seed_cases:
        shutil.copy(path, raw / path.name)
    shutil.copy(seed_cases[0][0], raw / "same_bytes_other_name.txt")
    db = tmp_path / "w.duckdb"
    first = ingest_folder(raw, db)
    assert (first.discovered, first.parsed, first.duplicates) == (6, 5, 1)
    counts = _counts(db)
    assert counts["documents"] == 5 and counts["report_cells"] == 5 * 207 and counts["document_sources"] == 6
    second = ingest_folder(raw, db)
    assert (second.parsed, second.unchanged) == (0, 5)
    assert _counts(db) == counts


def test_bad_files_are_quarantined_and_loaded_data_kept(seed_cases, tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(seed_cases[0][0], raw / seed_cases[0][0].name)
    db = tmp_path / "w.duckdb"
    ingest_folder(raw, db)
    (raw / "empty.txt").write_bytes(b"")
    (raw / "garbage.doc").write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 100)
    shutil.copy(seed_cases[1][0], raw / seed_cases[1][0].name)
    s = ingest_folder(raw, db)
    assert s.parsed == 1 and len(s.rejected) == 2
    reasons = dict(s.rejected)
    assert reasons["empty.txt"] == "empty file"
    counts = _counts(db)
    assert counts["documents"] == 2 and counts["quarantine"] == 2
    ingest_folder(raw, db)  # quarantine records are not duplicated by a rerun
    assert _counts(db)["quarantine"] == 2


def test_a_released_document_whose_file_is_gone_comes_back_after_a_re_parse(seed_cases, tmp_path):
    """Found by the stateful test: a document loaded, its file deleted, dropped, the parse
    store removed (a parser-version change), then released, never came back: only files
    present were parsed. The archive is parsed again from the kept bytes."""
    from ingestion.load import quarantine

    raw, db = tmp_path / "raw", tmp_path / "wh" / "govinfo.duckdb"
    raw.mkdir()
    path, _ = seed_cases[0]
    shutil.copy(path, raw / "r.txt")
    ingest_folder(raw, db)
    (raw / "r.txt").unlink()
    sha = quarantine.drop(db, "r.txt", "a test")
    ingest_folder(raw, db)
    assert _counts(db)["documents"] == 0
    shutil.rmtree(db.parent / "parsed")
    quarantine.release(db, sha)
    again = ingest_folder(raw, db)
    assert again.parsed == 1 and _counts(db)["documents"] == 1


def test_a_document_whose_file_is_gone_keeps_its_arrival_when_the_index_is_rebuilt(seed_cases, tmp_path):
    """Found by the stateful test: after the landing index was rebuilt, a released document
    whose file was gone had no file row, and its arrival became the time it was loaded again."""
    import duckdb

    from ingestion.load import quarantine

    raw, db = tmp_path / "raw", tmp_path / "wh" / "govinfo.duckdb"
    raw.mkdir()
    shutil.copy(seed_cases[0][0], raw / "r.txt")
    ingest_folder(raw, db)

    def arrived():
        with duckdb.connect(str(db), read_only=True) as con:
            return con.execute("SELECT arrived_at FROM raw.documents").fetchall()

    first = arrived()
    (raw / "r.txt").unlink()
    sha = quarantine.drop(db, "r.txt", "a test")
    ingest_folder(raw, db)
    for f in db.parent.glob("landing.sqlite*"):
        f.unlink()
    quarantine.release(db, sha)
    ingest_folder(raw, db)
    assert arrived() == first
