"""Human review (issue 25, first part): the queue, decisions kept as data in corrections.csv
through the real CLI, and the marts applying them with provenance on the next run."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

from alerting.alerts import AlertConfig, send_digests

from .conftest import chromium, run_job, serving

REPO = Path(__file__).resolve().parents[2]
GOVINFO = [sys.executable, "-m", "govinfo.cli"]
REVIEW_ROW = [f"review_litigation.review.{c}" for c in ("upheld", "corrected", "other", "pending", "total")]


def _review(*args, warehouse):
    return subprocess.run([*GOVINFO, "review", *args, "--warehouse", str(warehouse)], capture_output=True, text=True,
                          timeout=120, env={"PATH": "/usr/bin:/bin", "GOVINFO_REVIEWER": "tester"})


def _rows(db, sql, params=()):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def test_a_corrected_cell_reaches_the_marts_with_provenance_and_its_rules_run_again(tmp_path, monkeypatch,
                                                                                      webhook_server):
    raw = tmp_path / "raw"
    shutil.copytree(REPO / "samples" / "raw", raw)
    db = tmp_path / "w" / "govinfo.duckdb"
    assert run_job(raw, db, monkeypatch).success
    status = "SELECT agency_name, review_status FROM marts.fct_agency_year WHERE agency_name IN ('德州市民政局', " \
             "'聊城市人民政府办公室') ORDER BY 1"
    assert _rows(db, status) == [("德州市民政局", "check_failed"), ("聊城市人民政府办公室", "uncertain")]
    # the sample's 002 report prints section 四 so that its zeros could stand in several columns
    queue = _review("list", "--kind", "uncertain_cell", warehouse=db)
    assert queue.returncode == 0, queue.stderr
    doubted = [line for line in queue.stdout.splitlines() if "review_litigation.review." in line]
    assert len(doubted) == 5 and queue.stdout.splitlines()[-1].startswith("15 review item(s): 15 uncertain_cell")
    doc = doubted[0].split()[2]
    [(sha,)] = _rows(db, "SELECT document_id FROM raw.documents WHERE document_id LIKE ?", [doc + "%"])
    [(doubt_before,)] = _rows(db, "SELECT extraction_doubt FROM marts.rec_within_report WHERE document_id = ? "
                                  "AND rule = 'review_total' AND subject = 'review'", [sha])
    assert doubt_before
    for field in REVIEW_ROW:  # read on the printed page: the whole row is zeros
        done = _review("set", doc, field, "0", "--why", "the scan shows 0 in every column", warehouse=db)
        assert done.returncode == 0 and "the next run" in done.stdout, done.stderr
    finding = _review("list", "--rule", "review_total", warehouse=db).stdout.splitlines()[0]
    printed = _review("printed", finding.split()[3], "review_total", "review", "--why", "the agency printed it so",
                      warehouse=db)
    assert printed.returncode == 0, printed.stderr
    bad = _review("set", doc, "no.such.cell", "3", "--why", "x", warehouse=db)
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1 and "no.such.cell" in bad.stderr

    assert run_job(raw, db, monkeypatch).success  # the next run applies the decisions
    cells = _rows(db, "SELECT field, value, uncertain, value_source, reviewed_by FROM marts.fct_report_cells "
                      "WHERE document_id = ? AND field LIKE 'review_litigation.review.%' ORDER BY field", [sha])
    assert cells == [(f, 0.0, False, "corrected", "tester") for f in sorted(REVIEW_ROW)]
    # where review stands, per agency-year (its other cells still read with doubt), and its history
    assert _rows(db, status) == [("德州市民政局", "confirmed"), ("聊城市人民政府办公室", "uncertain")]
    history = _rows(db, "SELECT action, reviewed_by, in_force FROM marts.fct_review_history ORDER BY line")
    assert history == [("correct", "tester", True)] * 5 + [("printed_as_is", "tester", True)]
    # the rule over the row is judged again, on numbers now certain: the agency's, and it holds
    assert _rows(db, "SELECT extraction_doubt, passed, finding_source FROM marts.rec_within_report "
                     "WHERE document_id = ? AND rule = 'review_total' AND subject = 'review'", [sha]) == \
        [(False, True, "agency")]
    # the finding confirmed as printed stays, marked, and is no longer alerted
    [(confirmed, who)] = _rows(db, "SELECT confirmed_as_printed, reviewed_by FROM marts.data_quality_issues "
                                   "WHERE rule = 'review_total' AND finding_source = 'agency'")
    assert confirmed and who == "tester"
    port, posts = webhook_server
    send_digests(db, "r1", AlertConfig(webhook={"url": f"http://127.0.0.1:{port}/hook"}))
    assert {i["rule"] for i in posts[0]["new_issues"]} >= {"carryover"}
    assert "review_total" not in {i["rule"] for i in posts[0]["new_issues"]}
    assert "reviewed_cell" in _review("list", "--status", "settled", warehouse=db).stdout
    # the overview shows the queue, the same count as the CLI; the digest links to it
    still = _review("list", warehouse=db).stdout.splitlines()
    page = (db.parent / "published" / "overview.html").read_text(encoding="utf-8")
    assert f'id="kpi-review_items"><b>{len(still) - 1}</b>' in page and '<h2 id="review">' in page
    assert posts[0]["new_issues"][0]["review"].endswith("published/overview.html#review")
    # the raw bytes and the parse store never change: a correction is data beside them
    record = json.loads(next((db.parent / "parsed").rglob(f"{sha}*.json")).read_text(encoding="utf-8"))
    assert record["result"]["cells"]["review_litigation.review.total"] is None

    # a decision made on another reading than today's (as after a re-parse that reads the cell
    # differently) is flagged for a second look: a correction still applies, never silently
    from ingestion.load.corrections import Correction, append, path_of

    path = path_of(db.parent / "corrections")
    append(path, Correction(sha, "correct", field=REVIEW_ROW[0], value="0", parser_value="7", who="earlier",
                            why="made when the parser read 7"))
    assert run_job(raw, db, monkeypatch).success
    assert _rows(db, "SELECT value, value_source, review_stale, reviewed_reading FROM marts.fct_report_cells "
                     "WHERE document_id = ? AND field = ?", [sha, REVIEW_ROW[0]]) == [(0.0, "corrected", True, 7.0)]
    [(message,)] = _rows(db, "SELECT message FROM marts.data_quality_issues WHERE rule = 'review_stale'")
    assert "when the parser read 7.0; it now reads nothing: the correction to 0.0 still applies" in message
    assert REVIEW_ROW[0] in _review("list", "--kind", "stale_review", warehouse=db).stdout
    assert _rows(db, "SELECT line, in_force FROM marts.fct_review_history WHERE field = ? ORDER BY line",
                 [REVIEW_ROW[0]]) == [(2, False), (8, True)]  # the earlier decision stays, as history

    # a row broken by hand stops the load with one line naming it; nothing else is lost
    path.write_text(path.read_text(encoding="utf-8") + f"{sha},correct,{REVIEW_ROW[0]},many,,,,me,2026-12-07,typo\n",
                    encoding="utf-8")
    broken = run_job(raw, db, monkeypatch)
    assert not broken.success
    [failure] = [e for e in broken.all_events if e.is_step_failure]
    assert "corrections.csv line 9: value 'many' is not a number" in str(failure.event_specific_data.error.message)
    assert _rows(db, "SELECT count(*) FROM marts.fct_report_cells WHERE value_source = 'corrected'") == [(5,)]


def _marts(db):
    """Every mart's rows, findings about files kept out aside (a rolled-back document is listed
    as dropped, by design: it stays auditable)."""
    from .conftest import MARTS

    with duckdb.connect(str(db), read_only=True) as con:
        return {m: sorted(map(str, con.execute(f"SELECT * FROM marts.{m}" + (
            " WHERE rule <> 'rejected_document'" if m == "data_quality_issues" else "")).fetchall())) for m in MARTS}


def test_a_rolled_back_batch_leaves_the_marts_as_before_it_and_comes_back_on_release(tmp_path, monkeypatch):
    import random

    from corpus.render import Style, render
    from corpus.truth import series

    rng = random.Random(8)
    raw, db = tmp_path / "raw", tmp_path / "w" / "govinfo.duckdb"
    raw.mkdir()
    a = series(rng, [2022, 2023], agency=("聊城市教育局", "聊城市", "教育局"))
    (raw / "a_2022.txt").write_text(render(a[0], Style("cells"), rng), encoding="utf-8")
    first = run_job(raw, db, monkeypatch)
    before = _marts(db)
    (raw / "a_2023.txt").write_text(render(a[1], Style("pipes"), rng), encoding="utf-8")
    second = run_job(raw, db, monkeypatch)
    after = _marts(db)
    assert first.success and second.success and after != before

    def quarantine(*args):
        done = subprocess.run([*GOVINFO, "quarantine", *args, "--warehouse", str(db)], capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout

    listed = quarantine("batches")
    assert f"{second.run_id}" in listed and f"{first.run_id}" in listed and "2 import batch(es)" in listed
    said = quarantine("drop", "--batch", second.run_id[:8], "--note", "loaded by mistake")
    assert "1 document(s) dropped" in said
    assert run_job(raw, db, monkeypatch).success
    assert _marts(db) == before  # exactly as before the batch
    assert f"rolled back batch {second.run_id}: loaded by mistake" in quarantine("list")
    assert "1 rolled back" in quarantine("batches")
    assert "1 document(s)" in quarantine("release", "--batch", second.run_id)
    assert run_job(raw, db, monkeypatch).success
    assert _marts(db) == after  # and back


def test_the_review_page_corrects_and_confirms_with_the_keyboard_in_chromium(tmp_path, monkeypatch):
    """`govinfo review serve` in a real headless Chromium (Playwright on the system's Chromium):
    the printed lines beside the reading, a value typed and Enter, `c` on the next cell; both
    land in corrections.csv with the reviewer's name."""
    import os

    import pytest

    playwright = pytest.importorskip("playwright.sync_api")
    raw = tmp_path / "raw"
    shutil.copytree(REPO / "samples" / "raw", raw)
    db = tmp_path / "w" / "govinfo.duckdb"
    assert run_job(raw, db, monkeypatch).success
    serve = [*GOVINFO, "review", "serve", "--warehouse", str(db), "--raw", str(raw), "--who", "reviewer-1", "--port"]
    with serving(lambda port: [*serve, str(port)], lambda port: f"http://127.0.0.1:{port}/item/0",
                 env={**os.environ, "PYTHONPATH": str(REPO)}) as port:
        base = f"http://127.0.0.1:{port}"
        with playwright.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium(), args=["--no-sandbox"])
            page = browser.new_page()
            # the first uncertain cell: its printed line is marked beside what was read
            page.goto(base + "/item/0")
            for _ in range(30):
                if page.inner_text("#kind") == "uncertain_cell":
                    break
                page.keyboard.press("j")
                page.wait_for_load_state()
            assert page.inner_text("#kind") == "uncertain_cell"
            cell = page.inner_text("#item")
            assert "81" in page.inner_text("#here")  # the line the cell was read on
            page.fill("#correct-value", "0")
            page.press("#correct-value", "Enter")
            page.wait_for_selector("#said")
            assert "recorded correct" in page.inner_text("#said")
            confirmed = page.inner_text("#item")
            page.evaluate("document.activeElement.blur()")  # the value box has the focus: keys go to the page
            page.keyboard.press("c")
            page.locator("#said", has_text="recorded confirm").wait_for()
            browser.close()
    rows = (db.parent / "corrections" / "corrections.csv").read_text(encoding="utf-8").splitlines()[1:]
    assert [r.split(",")[1:4] for r in rows] == [["correct", cell, "0"], ["confirm", confirmed, ""]]
    assert all(",reviewer-1," in r for r in rows)
