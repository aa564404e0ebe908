"""One bad document never stops the warehouse, and the right version wins (issue 11).

Real runs (scan, parse, DuckDB, dbt build, GX checks, publication) on landing folders that
hold what operators really find there: a report whose headline count is implausible, a file
name that is not UTF-8, a FIFO, symbolic links in and out of the folder; a correction copied
with its old timestamp that breaks a rule; an operator dropping and releasing a document.
"""
import os
import random
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import duckdb
import pytest

from corpus.render import Style, render
from corpus.truth import series

from tests.library.test_hostile_inputs import _lying_docx, _reports

from .conftest import run_job

pytestmark = pytest.mark.slow  # `make test-fast` leaves these out

GOVINFO = str(Path(sys.executable).parent / "govinfo")
WITHHELD = ("属于国家秘密", "其他法律行政法规禁止公开", "危及", "保护第三方", "三类内部事务", "四类过程性",
            "行政执法案卷", "行政查询事项")


def _report(agency: tuple[str, str, str], seed: int, year: int = 2023):
    return series(random.Random(seed), [year], agency=agency)[0]


def _text(report, seed: int) -> str:
    return render(report, Style("pipes"), random.Random(seed))


def _implausible(text: str) -> str:
    """Every 不予公开 row's 总计 printed as 2,000,000: each cell is within range, their sum
    (the headline `refused`) is 16,000,000, past what any agency handles."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if "|" in line and any(w in line for w in WITHHELD):
            cells = line.rstrip().rstrip("|").split("|")
            cells[-1] = " 2000000 "
            lines[i] = "|".join(cells) + "|"
    return "\n".join(lines)


def _published(db: Path, sql: str, params=()):
    with duckdb.connect(str(db.parent / "published" / "govinfo.duckdb"), read_only=True) as con:
        return con.execute(sql, params).fetchall()


def test_bad_files_and_an_implausible_report_never_stop_the_others(tmp_path, monkeypatch):
    raw, db = tmp_path / "raw", tmp_path / "o'brien's wh" / "govinfo.duckdb"  # a quote in the path
    raw.mkdir()
    orphans = [db.parent / "published" / ".govinfo.duckdb.20260101T000000-999999.tmp",  # a kill -9 left them
               Path(tempfile.gettempdir()) / f"govinfo-dbt-999999-{tmp_path.name}"]
    for orphan in orphans:
        orphan.parent.mkdir(parents=True, exist_ok=True)
        orphan.write_bytes(b"left behind")
    good = _report(("聊城市教育局", "聊城市", "教育局"), 1)
    (raw / "good.txt").write_text(_text(good, 1), encoding="utf-8")
    big = _report(("临沂市财政局", "临沂市", "财政局"), 2)
    (raw / "big.txt").write_text(_implausible(_text(big, 2)), encoding="utf-8")
    other = _report(("天津市商务局", "天津市", "商务局"), 3)
    (raw / os.fsdecode(b"bad-\xff-name.txt")).write_text(_text(other, 3), encoding="utf-8")
    (raw / "bomb.docx").write_bytes(_lying_docx(zipfile.ZIP_DEFLATED, 300 * 2**20))  # headers say 4 KB
    (raw / "many.txt").write_text("\n\n".join(_reports(50)), encoding="utf-8")  # 50 reports in one file
    (raw / "empty.txt").write_bytes(b"")
    os.mkfifo(raw / "pipe.txt")
    (raw / "outside.txt").symlink_to("/etc/hostname")
    (raw / "mirror.txt").symlink_to(raw / "good.txt")

    result = run_job(raw, db, monkeypatch)

    assert result.success
    published = dict(_published(db, "SELECT agency_name, refused FROM marts.fct_agency_year"))
    assert set(published) == {"聊城市教育局", "临沂市财政局"}, published
    assert published["临沂市财政局"] == 16_000_000  # published as printed; a WARN check names it
    checks = {c.check_name: c for c in result.get_asset_check_evaluations()}
    warned = checks["gx_fct_agency_year_warnings"]
    assert not warned.passed and warned.severity.value == "WARN" and checks["gx_fct_agency_year"].passed
    quarantine = dict(_published(db, "SELECT source_file, message FROM marts.data_quality_issues "
                                     "WHERE rule = 'rejected_document'"))
    assert "not valid UTF-8" in quarantine["bad-\\xff-name.txt"]
    assert "FIFO" in quarantine["pipe.txt"]
    assert "outside the landing folder" in quarantine["outside.txt"]
    assert "zip" in quarantine["bomb.docx"] and "holds 50 reports" in quarantine["many.txt"]
    assert "empty.txt" in quarantine
    sources = {r[0] for r in _published(db, "SELECT unnest(source_files) FROM marts.fct_report_versions")}
    assert {"good.txt", "mirror.txt"} <= sources
    assert not any(orphan.exists() for orphan in orphans)


def test_a_locked_warehouse_fails_fast_in_one_line_naming_the_holder(tmp_path):
    raw, db = tmp_path / "raw", tmp_path / "wh" / "govinfo.duckdb"
    raw.mkdir()
    (raw / "good.txt").write_text(_text(_report(("聊城市教育局", "聊城市", "教育局"), 1), 1), encoding="utf-8")
    db.parent.mkdir()
    hold = f"import duckdb, time; c = duckdb.connect({str(db)!r}); print('locked', flush=True); time.sleep(120)"
    holder = subprocess.Popen([sys.executable, "-c", hold], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        t0 = time.monotonic()
        run = subprocess.run([GOVINFO, "run", "--raw", str(raw), "--warehouse", str(db)], capture_output=True,
                             text=True, timeout=120, check=False, env={**os.environ, "GOVINFO_LOCK_WAIT": "3"})
        elapsed = time.monotonic() - t0
    finally:
        holder.kill()
    assert run.returncode == 2
    [line] = run.stderr.strip().splitlines()
    assert f"PID {holder.pid}" in line and str(db) in line and "GOVINFO_LOCK_WAIT" in line
    assert "waiting for the warehouse" in run.stdout and elapsed < 60


def test_a_back_dated_correction_wins_even_when_it_breaks_a_rule_and_operators_can_drop_it(tmp_path, monkeypatch):
    raw, db = tmp_path / "raw", tmp_path / "wh" / "govinfo.duckdb"
    raw.mkdir()
    report = _report(("济南市统计局", "济南市", "统计局"), 4)
    first = _text(report, 4)
    (raw / "report.txt").write_text(first, encoding="utf-8")
    run_job(raw, db, monkeypatch)
    [(old_id,)] = _published(db, "SELECT document_id FROM marts.fct_agency_year")

    lines = first.split("\n")
    i = next(k for k, line in enumerate(lines) if line.startswith("四、结转下年度继续办理"))
    cells = lines[i].rstrip().rstrip("|").split("|")
    cells[-1] = f" {int(cells[-1]) + 5} "  # its 总计 corrected to a number that breaks 一+二 = （七）+四
    lines[i] = "|".join(cells) + "|"
    correction = "\n".join(lines)
    path = raw / "report_corrected.txt"
    path.write_text(correction, encoding="utf-8")
    os.utime(path, (978_307_200, 978_307_200))  # copied with `cp -p`: 2001-01-01
    run_job(raw, db, monkeypatch)
    [(new_id, choice)] = _published(db, "SELECT document_id, version_choice FROM marts.fct_agency_year")
    assert new_id != old_id and choice == "latest arrived"
    versions = dict(_published(db, "SELECT document_id, n_violations FROM marts.fct_report_versions"))
    assert versions[new_id] > versions[old_id] == 0
    assert (db.parent / "objects" / old_id[:2] / old_id).read_text(encoding="utf-8") == first  # kept for audit

    drop = subprocess.run([GOVINFO, "quarantine", "drop", "report_corrected.txt", "--warehouse", str(db),
                           "--note", "wrong figures"], capture_output=True, text=True, check=False)
    assert drop.returncode == 0, drop.stderr
    run_job(raw, db, monkeypatch)
    assert _published(db, "SELECT document_id FROM marts.fct_agency_year") == [(old_id,)]
    listed = subprocess.run([GOVINFO, "quarantine", "list", "--warehouse", str(db)], capture_output=True, text=True, check=False)
    assert "report_corrected.txt" in listed.stdout and "wrong figures" in listed.stdout

    release = subprocess.run([GOVINFO, "quarantine", "release", new_id[:12], "--warehouse", str(db)],
                             capture_output=True, text=True, check=False)
    assert release.returncode == 0, release.stderr
    run_job(raw, db, monkeypatch)
    assert _published(db, "SELECT document_id FROM marts.fct_agency_year") == [(new_id,)]


def test_a_partial_copy_is_never_loaded_and_a_file_under_a_copy_name_waits(tmp_path, monkeypatch):
    """The defect: a copy that stalled past the settle time was loaded, `total_processed` 8
    instead of 80 as certain, with findings blaming the agency. A copy that ends before its
    tables do is quarantined as incomplete; a download under its temporary name is not read
    until it is renamed; the whole files, when they land, are loaded."""
    raw, db = tmp_path / "raw", tmp_path / "wh" / "govinfo.duckdb"
    raw.mkdir()
    full = _text(_report(("济南市统计局", "济南市", "统计局"), 6), 6)
    path = raw / "report.txt"
    path.write_text(full[: full.index("（七）总计")], encoding="utf-8")  # stopped before its last rows
    other = _text(_report(("聊城市教育局", "聊城市", "教育局"), 7), 7)
    downloading = raw / "other.txt.crdownload"
    downloading.write_text(other[: len(other) // 2], encoding="utf-8")
    assert run_job(raw, db, monkeypatch).success
    assert _published(db, "SELECT count(*) FROM marts.fct_agency_year") == [(0,)]
    [(name, why)] = _published(db, "SELECT source_file, message FROM marts.data_quality_issues "
                                   "WHERE rule = 'rejected_document'")
    assert name == "report.txt" and why.startswith("incomplete: the document ends inside table 三"), why
    assert _published(db, "SELECT count(*) FROM marts.data_quality_issues WHERE finding_source = 'agency'") == [(0,)]

    path.write_text(full, encoding="utf-8")
    downloading.write_text(other, encoding="utf-8")
    downloading.rename(raw / "other.txt")
    assert run_job(raw, db, monkeypatch).success
    assert _published(db, "SELECT agency_name, source_file FROM marts.fct_agency_year ORDER BY 1") == [
        ("济南市统计局", "report.txt"), ("聊城市教育局", "other.txt")]


def test_a_rejected_file_uploaded_again_under_its_name_blocks_nothing(tmp_path, monkeypatch):
    """Two different rejected files under one name (a rescan, a re-upload) are two findings:
    the finding's identity holds the content hash, so every later good report publishes."""
    raw, db = tmp_path / "raw", tmp_path / "wh" / "govinfo.duckdb"
    raw.mkdir()
    (raw / "scan.txt").write_text("请见附件。\n", encoding="utf-8")  # not a report: rejected
    assert run_job(raw, db, monkeypatch).success
    (raw / "scan.txt").write_text("请见附件（重新扫描）。\n", encoding="utf-8")  # rejected again, other bytes
    good = _report(("聊城市教育局", "聊城市", "教育局"), 7)
    (raw / "good.txt").write_text(_text(good, 7), encoding="utf-8")
    assert run_job(raw, db, monkeypatch).success
    assert _published(db, "SELECT agency_name FROM marts.fct_agency_year") == [("聊城市教育局",)]
    rejected = _published(db, "SELECT count(DISTINCT issue_id) FROM marts.data_quality_issues "
                              "WHERE rule = 'rejected_document' AND source_file = 'scan.txt'")
    assert rejected[0][0] >= 1


def test_a_parse_record_cut_short_stops_no_run_and_is_made_again(tmp_path, monkeypatch):
    """A derived file (a parse record cut short by a full disk) is removed with one warning
    naming it; the run goes on with what the warehouse holds, and the next parses again."""
    raw, db = tmp_path / "raw", tmp_path / "wh" / "govinfo.duckdb"
    raw.mkdir()
    (raw / "good.txt").write_text(_text(_report(("聊城市教育局", "聊城市", "教育局"), 8), 8), encoding="utf-8")
    assert run_job(raw, db, monkeypatch).success
    [record] = (db.parent / "parsed").rglob("*.json")
    record.write_text(record.read_text(encoding="utf-8")[:200], encoding="utf-8")
    assert run_job(raw, db, monkeypatch).success
    assert not record.exists()
    assert _published(db, "SELECT agency_name FROM marts.fct_agency_year") == [("聊城市教育局",)]
    assert run_job(raw, db, monkeypatch).success
    assert record.exists() and _published(db, "SELECT count(*) FROM marts.fct_agency_year") == [(1,)]


def test_losing_or_corrupting_the_landing_index_changes_no_decision_and_no_winner(tmp_path, monkeypatch):
    """The defect: with landing.sqlite gone, a dropped document came back published, and after
    a re-parse a back-dated correction lost to its original ("arrived together"). Arrivals
    and drops live in the ledger; the index is rebuilt from it, and a corrupt one is set aside."""
    raw, db = tmp_path / "raw", tmp_path / "wh" / "govinfo.duckdb"
    raw.mkdir()
    first = _text(_report(("济南市统计局", "济南市", "统计局"), 4), 4)
    (raw / "report.txt").write_text(first, encoding="utf-8")
    (raw / "other.txt").write_text(_text(_report(("聊城市教育局", "聊城市", "教育局"), 8), 8), encoding="utf-8")
    run_job(raw, db, monkeypatch)
    lines = first.split("\n")
    i = next(k for k, line in enumerate(lines) if line.startswith("四、结转下年度继续办理"))
    lines[i] = lines[i].replace("|", "| ", 1)  # the same numbers, other bytes: a re-publication
    (raw / "report_v2.txt").write_text("\n".join(lines), encoding="utf-8")
    os.utime(raw / "report_v2.txt", (978_307_200, 978_307_200))  # copied with `cp -p`: 2001-01-01
    run_job(raw, db, monkeypatch)
    drop = subprocess.run([GOVINFO, "quarantine", "drop", "other.txt", "--warehouse", str(db), "--note", "a test file"],
                          capture_output=True, text=True, check=False)
    assert drop.returncode == 0, drop.stderr
    run_job(raw, db, monkeypatch)
    before = _published(db, "SELECT agency_name, document_id, version_choice FROM marts.fct_agency_year")
    assert [(a, c) for a, _, c in before] == [("济南市统计局", "latest arrived")]

    for f in db.parent.glob("landing.sqlite*"):
        f.unlink()
    subprocess.run(["rm", "-rf", str(db.parent / "parsed")], check=True)  # a parser-version change re-parses
    assert run_job(raw, db, monkeypatch).success
    assert _published(db, "SELECT agency_name, document_id, version_choice FROM marts.fct_agency_year") == before

    (db.parent / "landing.sqlite").write_bytes(b"not a database" * 100)
    assert run_job(raw, db, monkeypatch).success
    assert _published(db, "SELECT agency_name, document_id, version_choice FROM marts.fct_agency_year") == before
    assert list(db.parent.glob("landing.sqlite.corrupt-*"))
    ledger = (db.parent / "ledger.jsonl").read_text(encoding="utf-8")
    assert ledger.count('"event": "arrived"') == 3 and '"note": "a test file"' in ledger


def test_a_renamed_file_is_shown_under_its_new_name(tmp_path, monkeypatch):
    """The defect: a renamed file kept its deleted name as `source_file`, so links in the
    overview and the alerts led nowhere. The old name stays in the document's history."""
    raw, db = tmp_path / "raw", tmp_path / "wh" / "govinfo.duckdb"
    raw.mkdir()
    (raw / "download(3).txt").write_text(_text(_report(("聊城市教育局", "聊城市", "教育局"), 8), 8), encoding="utf-8")
    assert run_job(raw, db, monkeypatch).success
    (raw / "download(3).txt").rename(raw / "2023_聊城市教育局.txt")
    assert run_job(raw, db, monkeypatch).success
    assert _published(db, "SELECT source_file FROM marts.fct_agency_year") == [("2023_聊城市教育局.txt",)]
    assert _published(db, "SELECT source_file, source_files, version_choice FROM marts.fct_report_versions") == [
        ("2023_聊城市教育局.txt", ["2023_聊城市教育局.txt", "download(3).txt"], "only version")]


def test_two_runs_started_together_take_turns_and_parse_each_document_once(tmp_path):
    """The defect: two runs started a second apart both parsed everything, and the second
    died on DuckDB's lock. The second now waits for the first and finds the work done."""
    raw, db = tmp_path / "raw", tmp_path / "wh" / "govinfo.duckdb"
    raw.mkdir()
    for i, agency in enumerate((("聊城市教育局", "聊城市", "教育局"), ("济南市统计局", "济南市", "统计局"))):
        (raw / f"r{i}.txt").write_text(_text(_report(agency, 20 + i), 20 + i), encoding="utf-8")
    env = os.environ | {"GOVINFO_LOCK_WAIT": "600"}
    cmd = [GOVINFO, "run", "--raw", str(raw), "--warehouse", str(db)]
    first = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    time.sleep(1)
    second = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False, timeout=900)
    out_first = first.communicate(timeout=900)[0]
    assert first.returncode == 0 and second.returncode == 0, second.stderr[-2000:]
    # (on a busy machine the second may take the lock first: then the roles swap)
    earlier, later = sorted([out_first, second.stdout], key=lambda out: "waiting for another govinfo run" in out)
    assert "2 to parse" in earlier
    assert "waiting for another govinfo run (PID" in later and "0 to parse" in later
    assert _published(db, "SELECT count(*) FROM marts.fct_agency_year") == [(2,)]


def _limited(size: int):
    import resource

    return lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))  # writes past it fail: EFBIG


def test_a_full_disk_and_a_corrupt_dagster_instance_end_in_one_line_and_lose_nothing(tmp_path):
    """The defects: a full disk ended in a traceback with no summary; a corrupt Dagster
    database gave "file is not a database" on every run."""
    raw, db = tmp_path / "raw", tmp_path / "wh" / "govinfo.duckdb"
    raw.mkdir()
    (raw / "r.txt").write_text(_text(_report(("聊城市教育局", "聊城市", "教育局"), 8), 8), encoding="utf-8")
    cmd = [GOVINFO, "run", "--raw", str(raw), "--warehouse", str(db)]
    full = subprocess.run(cmd, capture_output=True, text=True, check=False, preexec_fn=_limited(20_000))
    assert full.returncode == 2
    [line] = full.stderr.strip().splitlines()
    assert line.startswith("govinfo run: stopped:") and "nothing new was published" in line

    assert subprocess.run(cmd, capture_output=True, text=True, check=False).returncode == 0
    (db.parent / "dagster" / "history" / "runs.db").write_bytes(b"not a database" * 100)
    again = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert again.returncode == 0, again.stderr[-2000:]
    assert "the Dagster instance" in again.stdout and "is corrupt" in again.stdout
    assert list(db.parent.glob("dagster.corrupt-*"))
    assert _published(db, "SELECT agency_name FROM marts.fct_agency_year") == [("聊城市教育局",)]


def test_a_rejected_document_counts_once_everywhere_whatever_its_names(tmp_path):
    """The same bad bytes under two names are one rejected document in the run's summary, on
    the overview and in `govinfo quarantine list` (which names both files)."""
    raw = tmp_path / "raw"
    raw.mkdir()
    report = series(random.Random(9), [2023], agency=("聊城市教育局", "聊城市", "教育局"))[0]
    (raw / "report.txt").write_text(render(report, Style("cells"), random.Random(9)), encoding="utf-8")
    notice = "关于政府信息公开工作的通知\n各单位：请按时报送。\n".encode()
    (raw / "notice.txt").write_bytes(notice)
    (raw / "notice_copy.txt").write_bytes(notice)
    db = tmp_path / "w" / "govinfo.duckdb"
    run = subprocess.run([GOVINFO, "run", "--raw", str(raw), "--warehouse", str(db)], capture_output=True, text=True,
                         check=False, timeout=900)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert "documents rejected (quarantine): 1" in run.stdout
    overview = (db.parent / "published" / "overview.html").read_text(encoding="utf-8")
    assert '<div class="kpi" id="kpi-rejected"><b>1</b>' in overview
    listed = subprocess.run([GOVINFO, "quarantine", "list", "--warehouse", str(db)], capture_output=True, text=True,
                            check=False, timeout=120)
    assert listed.stdout.splitlines()[-1] == "1 document in the quarantine (2 file names)", listed.stdout
    # quiet: dbt's line per model goes to the file the summary names; -v prints it
    assert "START sql" not in run.stdout and run.stdout.rstrip().splitlines()[-1].startswith("dbt's lines of this run:")
    kept = Path(run.stdout.rstrip().splitlines()[-1].split(": ", 1)[1].split(" (")[0])
    assert kept.parent == db.parent / "logs" and "START sql" in kept.read_text(encoding="utf-8")
    loud = subprocess.run([GOVINFO, "run", "--raw", str(raw), "--warehouse", str(db), "-v"], capture_output=True,
                          text=True, check=False, timeout=900)
    assert loud.returncode == 0 and "START sql" in loud.stdout and "dbt's lines" not in loud.stdout
