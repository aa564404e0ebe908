"""Production behaviour, through the command operators run (`govinfo run`, a real process):
analysts read the published snapshot while a run writes; `kill -9` at any point and a rerun
give marts identical to an uninterrupted run; a few thousand documents plus bad ones finish
with matching counts; the overview page shows the numbers in a real headless Chromium."""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from corpus.generate import build_corpus, write_corpus

from .conftest import dump_dom

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow  # `make test-fast` leaves these out
GOVINFO = str(Path(sys.executable).parent / "govinfo")
TEXT_FORMATS = {"txt": 0.5, "docx": 0.2, "html": 0.3}  # no LibreOffice needed to make them
VOLATILE = ("loaded_at", "quarantined_at", "published_at", "arrived_at", "second_arrived_at",
            "batch_id")  # when (and in which run), not what


def content_hash(db: Path) -> dict[str, tuple[int, str]]:
    """Per mart: rows and an md5 of its sorted rows, without the load-time columns."""
    with duckdb.connect(str(db), read_only=True) as con:
        cols: dict[str, list[str]] = {}
        for table, col in con.execute("SELECT table_name, column_name FROM information_schema.columns "
                                      "WHERE table_schema = 'marts' ORDER BY table_name, ordinal_position").fetchall():
            if col not in VOLATILE:
                cols.setdefault(table, []).append(f'"{col}"')
        return {t: con.execute(f"SELECT count(*), md5(coalesce(string_agg(r, '|' ORDER BY r), '')) FROM "
                               f"(SELECT ({', '.join(c)})::VARCHAR AS r FROM marts.{t})").fetchall()[0]
                for t, c in cols.items()}


def _corpus(tmp_path_factory, n: int, seed: int, bad: bool) -> Path:
    out = tmp_path_factory.mktemp(f"corpus{n}")
    cases = build_corpus(n, seed=seed, bad=False, formats=TEXT_FORMATS)
    if bad:
        from corpus.generate import _bad_inputs
        cases += [c for c in _bad_inputs(seed, None, None, None) if not c.filename.endswith((".doc",))]
    write_corpus(cases, out)
    return out / "docs"


def _run(raw: Path, db: Path, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([GOVINFO, "run", "--raw", str(raw), "--warehouse", str(db)], capture_output=True,
                          text=True, cwd=REPO, **kw)


def _start(raw: Path, db: Path) -> subprocess.Popen:
    """A run whose every line shows (-v: dbt's too), to kill it at one."""
    return subprocess.Popen([GOVINFO, "run", "--raw", str(raw), "--warehouse", str(db), "-v"], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, cwd=REPO, start_new_session=True)


def _cells_per_template() -> dict[str, int]:
    """Cells a report carries in each template: the 207 of the contract and its own."""
    from ingestion.parser.spec import field_names
    from ingestion.parser.template import VERSIONS, load

    return {v: len(set(field_names()) | set(load(v).fields)) for v in VERSIONS}


def _kill_when(proc: subprocess.Popen, pattern: str, timeout: float = 300) -> str:
    """kill -9 the run (and its worker processes) once its output matches `pattern`."""
    deadline, seen = time.time() + timeout, []
    for line in proc.stdout:
        seen.append(line)
        if re.search(pattern, line):
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            return line
        if time.time() > deadline:
            break
    os.killpg(proc.pid, signal.SIGKILL)
    pytest.fail(f"run ended before {pattern!r} appeared:\n{''.join(seen[-40:])}")


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return _corpus(tmp_path_factory, 400, seed=21, bad=True)


def test_kill_9_during_a_run_then_rerun_gives_identical_marts(folder, tmp_path):
    clean = tmp_path / "clean" / "govinfo.duckdb"
    first = _run(folder, clean)
    assert first.returncode == 0, first.stdout[-3000:]
    crashed = tmp_path / "crashed" / "govinfo.duckdb"
    _kill_when(_start(folder, crashed), r"parsed 200/\d+ documents")  # in the middle of parsing
    _kill_when(_start(folder, crashed), r"START sql table model marts\.")  # in the middle of dbt
    again = _run(folder, crashed, timeout=900)  # never waits on the slots the killed runs held
    assert again.returncode == 0, again.stdout[-3000:]
    assert again.stdout.count("of a process that is gone") == 1  # the run killed in dbt (the second run freed the first)
    assert not subprocess.run(["pgrep", "-f", f"tail -F .*{tmp_path}"], capture_output=True).stdout  # no orphans
    assert content_hash(crashed) == content_hash(clean)
    with duckdb.connect(str(crashed), read_only=True) as con:
        docs, distinct, cells = con.execute(
            "SELECT count(*), count(DISTINCT document_id), (SELECT count(*) FROM raw.report_cells) "
            "FROM raw.documents").fetchall()[0]
        templates = con.execute("SELECT template, count(*) FROM raw.documents GROUP BY 1").fetchall()
    per_template = _cells_per_template()
    assert docs == distinct == 400 and cells == sum(per_template[t] * n for t, n in templates)  # none lost, none twice
    assert content_hash(crashed.parent / "published" / "govinfo.duckdb") == content_hash(clean)


def test_a_rerun_and_a_second_name_change_nothing(folder, tmp_path):
    db = tmp_path / "w" / "govinfo.duckdb"
    assert _run(folder, db).returncode == 0
    before = content_hash(db)
    shutil.copytree(folder, tmp_path / "raw")
    raw = tmp_path / "raw"
    first = sorted(raw.glob("*.txt"))[0]
    shutil.copy(first, raw / ("renamed_" + first.name))
    # the same folder (with one file under a second name) again: same marts, one more source name
    again = _run(raw, db)
    assert again.returncode == 0 and "0 to parse" in again.stdout
    after = content_hash(db)
    assert {k: v for k, v in after.items() if k != "fct_report_versions"} == \
           {k: v for k, v in before.items() if k != "fct_report_versions"}
    # both runs are in the Dagster instance beside the warehouse: the one `make dagster-ui` opens
    seen = subprocess.run([sys.executable, "-c", "import dagster as dg; i = dg.DagsterInstance.get(); "
                           "print(len(i.get_runs()), len(i.get_dynamic_partitions('documents')))"],
                          env={**os.environ, "DAGSTER_HOME": str(db.parent / "dagster")},
                          capture_output=True, text=True, check=True)
    runs, partitions = map(int, seen.stdout.split())
    assert runs == 2 and partitions >= before["fct_report_versions"][0]


READER = textwrap.dedent("""
    import json, os, sys, time, duckdb
    snap, stop, out, mode = sys.argv[1:5]
    per_template = json.loads(sys.argv[5])  # cells of a report in each template
    seen, errors = [], []
    # "hold": a BI tool that keeps one connection open (it keeps reading the snapshot it
    # opened: DuckDB caches the open file per process); "poll": a fresh connection each time
    held = duckdb.connect(snap, read_only=True) if mode == "hold" else None
    def look():
        try:
            con = held or duckdb.connect(snap, read_only=True)
            run, years, cells = con.execute(
                "SELECT (SELECT run_id FROM main.publication), (SELECT count(*) FROM marts.fct_agency_year), "
                "(SELECT count(*) FROM marts.fct_report_cells)").fetchall()[0]
            expected = sum(per_template[t] * n for t, n in
                           con.execute("SELECT template, count(*) FROM marts.fct_agency_year GROUP BY 1").fetchall())
            seen.append([run, years, cells, expected])
            if con is not held:
                con.close()
        except Exception as exc:
            errors.append(repr(exc))
    while not os.path.exists(stop):
        look()
        time.sleep(0.05)
    look()
    json.dump({"seen": seen, "errors": errors}, open(out, "w"))
""")


def test_analysts_read_the_snapshot_while_a_run_writes(folder, tmp_path):
    raw, db = tmp_path / "raw", tmp_path / "w" / "govinfo.duckdb"
    raw.mkdir()
    files = sorted(folder.iterdir())
    for f in files[: len(files) // 2]:
        shutil.copy(f, raw / f.name)
    assert _run(raw, db).returncode == 0
    snapshot = db.parent / "published" / "govinfo.duckdb"
    for f in files[len(files) // 2:]:
        shutil.copy(f, raw / f.name)
    stop = tmp_path / "stop"
    readers = {mode: subprocess.Popen([sys.executable, "-c", READER, str(snapshot), str(stop),
                                       str(tmp_path / f"{mode}.json"), mode, json.dumps(_cells_per_template())])
               for mode in ("hold", "poll")}
    try:
        time.sleep(0.5)
        writer = _run(raw, db, timeout=600)  # never blocked by the readers
    finally:
        stop.touch()
        for reader in readers.values():
            reader.wait(timeout=60)
    assert writer.returncode == 0, writer.stdout[-3000:]
    with duckdb.connect(str(db), read_only=True) as con:
        years_now = con.execute("SELECT count(*) FROM marts.fct_agency_year").fetchall()[0][0]
    polled, held = (json.loads((tmp_path / f"{m}.json").read_text()) for m in ("poll", "hold"))
    for result in (polled, held):
        assert result["errors"] == [] and len(result["seen"]) > 5
        assert all(cells == expected for _, _, cells, expected in result["seen"])  # never a half-built table
    assert len({seen[0] for seen in polled["seen"]}) == 2  # the old snapshot, then the new one
    assert polled["seen"][-1][1] == years_now
    assert len({seen[0] for seen in held["seen"]}) == 1  # an open connection keeps its snapshot


def test_a_few_thousand_documents_and_bad_ones_finish_with_matching_counts(tmp_path_factory, tmp_path):
    raw = _corpus(tmp_path_factory, 2000, seed=22, bad=True)
    bad = [p for p in raw.iterdir() if "_bad_" in p.name]
    db = tmp_path / "w" / "govinfo.duckdb"
    run = _run(raw, db, timeout=1500)
    assert run.returncode == 0, run.stdout[-3000:]
    assert f"documents loaded: 2000 " in run.stdout
    assert f"documents rejected (quarantine): {len(bad)}" in run.stdout
    with duckdb.connect(str(db), read_only=True) as con:
        rejected = {r[0] for r in con.execute("SELECT source_file FROM raw.quarantine").fetchall()}
    assert rejected == {p.name for p in bad}


def test_overview_page_shows_the_numbers_in_headless_chromium(built, tmp_path):
    _, reports, db, _ = built
    page = db.parent / "published" / "overview.html"
    dom = dump_dom(page.as_uri(), tmp_path)
    kpis = dict(re.findall(r'id="kpi-(\w+)"><b>(\d+)</b>', dom))
    with duckdb.connect(str(db), read_only=True) as con:
        one = lambda sql: str(con.execute(sql).fetchall()[0][0])  # noqa: E731
        assert kpis["agency_years"] == one("SELECT count(*) FROM marts.fct_agency_year")
        assert kpis["agencies"] == one("SELECT count(*) FROM marts.dim_agency")
        assert kpis["rejected"] == one("SELECT count(*) FROM raw.quarantine")
    assert "天津市商务局" in dom and "review_total" in dom and "empty.txt" in dom
    # the source file, by a link relative to the page: it works from a copy and where it is served
    [link] = set(re.findall(r'href="([^"]+b_2023\.html)"', dom))
    assert not link.startswith(("file:", "/")) and (page.parent / link).resolve().is_file()
    # pictures, not only tables; every finding link lands on its finding; nothing from a network
    assert {"years", "provinces", "findings"} <= set(re.findall(r'<svg id="(\w+)"', dom))
    targets = set(re.findall(r'href="#([\w-]+)"', dom))
    assert targets and targets <= set(re.findall(r'id="([\w-]+)"', dom))
    assert not re.search(r'(src|href)="(https?|file)://', dom)


def test_the_overview_pages_searches_and_sorts_ten_thousand_agency_years(built, tmp_path):
    """At 253 documents the page was 46,000 px tall with no way to find a row. Here the built
    snapshot is copied and its agencies repeated to 10,002 agency-years; the page shows 100
    rows of a table at a time, finds an agency by name, sorts, and opens the page of a
    finding an alert links to."""
    from publishing.overview import render_overview

    _, _, db, _ = built
    snapshot = tmp_path / "govinfo.duckdb"
    shutil.copyfile(db.parent / "published" / "govinfo.duckdb", snapshot)
    with duckdb.connect(str(snapshot)) as con:
        for table in ("dim_agency", "fct_agency_year", "data_quality_issues"):
            con.execute(f"INSERT INTO marts.{table} SELECT * EXCLUDE (i) REPLACE (agency_key || '#' || i AS agency_key, "
                        f"agency_name || '分' || i AS agency_name) FROM marts.{table}, range(1, 1667) AS t(i) "
                        "WHERE agency_key IS NOT NULL")
        assert con.execute("SELECT count(*) FROM marts.fct_agency_year").fetchall()[0][0] == 10_002
        key, year = con.execute("SELECT agency_key, year FROM marts.data_quality_issues WHERE agency_key LIKE '%#1666' "
                                "AND finding_source = 'agency' ORDER BY rule LIMIT 1").fetchall()[0]
    out = tmp_path / "overview.html"
    render_overview(snapshot, None, out)
    from publishing.overview import finding_anchor

    dom = dump_dom(out.as_uri(), tmp_path)
    coverage = re.search(r'<table id="coverage".*?</table>', dom, re.S).group(0)
    assert len(re.findall(r"<tr>", coverage)) == 100 + 1  # one page of rows shown, and the header
    assert len(re.findall(r"<tr hidden", coverage)) == 6668 - 100
    assert re.search(r"6668 rows · page 1 of 67", dom)
    found = dump_dom(out.as_uri() + "?coverage_q=" + "天津市商务局分1234", tmp_path)
    table = re.search(r'<table id="coverage".*?</table>', found, re.S).group(0)
    assert re.findall(r"<tr><td[^>]*>([^<]+)</td>", table) == ["天津市商务局分1234"]
    ordered = dump_dom(out.as_uri() + "?failed_sort=-5&failed_page=2", tmp_path)  # by year, newest first
    failed = re.search(r'<table id="failed".*?</table>', ordered, re.S).group(0)
    shown = [int(y) for y in re.findall(r'<tr(?: id="[^"]+")?><td class="name">\w+</td><td class="name">\w+</td>'
                                        r'<td class="name">[\w_]+</td>\s*<td class="name">[^<]+</td><td>(\d+)</td>', failed)]
    assert len(shown) == 100 and shown == sorted(shown, reverse=True) and "page 2 of" in ordered
    anchor = finding_anchor(key, year)  # an alert's link to a finding on a later page opens that page
    opened = dump_dom(f"{out.as_uri()}#{anchor}", tmp_path)
    assert re.search(rf'<tr id="{anchor}">', opened) and not re.search(rf'<tr id="{anchor}" hidden', opened)


def test_the_bundled_sample_shows_every_format_and_every_kind_of_finding(tmp_path):
    """What `make demo` runs: samples/raw through the real CLI. The sample must keep showing
    the product: every format, a chain that holds and one that breaks, the 2019 format, a
    broken total, a corrected re-publication chosen over the first, a text that contradicts
    its table, a rejected upload."""
    db = tmp_path / "w" / "govinfo.duckdb"
    run = _run(REPO / "samples" / "raw", db, timeout=900)
    assert run.returncode == 0, run.stdout[-3000:]
    assert "documents loaded: 12 (11 agency-years" in run.stdout
    assert "documents rejected (quarantine): 1" in run.stdout
    with duckdb.connect(str(db.parent / "published" / "govinfo.duckdb"), read_only=True) as con:
        rows = lambda sql: con.execute(sql).fetchall()  # noqa: E731
        assert {r[0] for r in rows("SELECT source_format FROM marts.fct_report_versions")} >= {"pdf", "docx", "html", "txt"}
        assert rows("SELECT agency_name, passed FROM marts.rec_cross_year WHERE rule = 'carryover' ORDER BY 1") == \
            [("临沂市财政局", False), ("聊城市教育局", True)]
        assert sorted(rows("SELECT agency_name, rule FROM marts.rec_within_report WHERE NOT passed")) == \
            [("德州市民政局", "review_total"), ("聊城市教育局", "prose_vs_table")]
        # the PDF's text says 18 new applications where its table says 35: a warning, with its sentence and page
        [(severity, subject, message, page)] = rows(
            "SELECT severity, subject, message, page FROM marts.data_quality_issues WHERE rule = 'prose_vs_table'")
        assert (severity, subject, page) == ("warn", "applications_received", 1) and "申请18件" in message
        assert rows("SELECT severity FROM marts.data_quality_issues WHERE rule = 'review_total'") == [("error",)]
        assert rows("SELECT template FROM marts.fct_agency_year WHERE agency_name = '德州市民政局'") == [("2019",)]
        chosen = rows("SELECT source_files, n_violations FROM marts.fct_report_versions "
                      "WHERE agency_name = '济南市商务局' ORDER BY version_rank")
        assert len(chosen) == 2 and "更正" in str(chosen[0][0]) and chosen[0][1] == 0 < chosen[1][1]
    overview = (db.parent / "published" / "overview.html").read_text(encoding="utf-8")
    assert "prose_vs_table" in overview and "申请18件" in overview
